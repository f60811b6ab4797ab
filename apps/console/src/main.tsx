import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { GraphQLFailure, RegistryApi } from './api';
import { LiveRegistry, isAuthFailure, type LiveSnapshot } from './live-registry';
import { serviceSummaries } from './registry-state';
import { parseRoute, type Route } from './route';
import { canWrite, forgetToken, storeToken, storedToken, type Viewer } from './session';
import { ServiceList } from './views/service-list';
import { ServicePage } from './views/service-page';
import { SignIn } from './views/sign-in';
import { LeaseProtectionBanner, StatusLine } from './views/status';
import './style.css';

const VIEWER = 'query Viewer { viewer { name scopes } }';

const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
};

/** Who the token is; undefined while asking; a failure when it is missing or refused. */
const useViewer = (api: RegistryApi): Viewer | GraphQLFailure | undefined => {
  const [viewer, setViewer] = useState<Viewer | GraphQLFailure | undefined>(undefined);
  useEffect(() => {
    setViewer(undefined);
    api.request<{ viewer: Viewer }>(VIEWER).then(
      ({ viewer }) => setViewer(viewer),
      (failure: GraphQLFailure) => setViewer(failure),
    );
  }, [api]);
  return viewer;
};

const useLive = (api: RegistryApi, enabled: boolean): LiveSnapshot | undefined => {
  const [snapshot, setSnapshot] = useState<LiveSnapshot | undefined>(undefined);
  const [live, setLive] = useState<LiveRegistry | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return undefined;
    const registry = new LiveRegistry(api);
    setLive(registry);
    const stopListening = registry.onChange(setSnapshot);
    registry.start();
    return () => {
      stopListening();
      registry.stop();
    };
  }, [api, enabled]);
  return snapshot && live ? snapshot : undefined;
};

const App = () => {
  const [token, setToken] = useState(storedToken);
  const api = useMemo(() => new RegistryApi(token), [token]);
  useEffect(() => () => api.close(), [api]);
  const viewer = useViewer(api);
  const signedIn = viewer !== undefined && !(viewer instanceof GraphQLFailure);
  const snapshot = useLive(api, signedIn);
  const route = useRoute();

  const signIn = (next: string) => {
    storeToken(next);
    setToken(next);
  };
  const signOut = () => {
    forgetToken();
    setToken(null);
  };

  const watchRefused = snapshot?.error && isAuthFailure(snapshot.error);
  return (
    <>
      <header>
        <h1>
          <a href="#/">EndpointSlice Registry</a>
        </h1>
        {signedIn ? (
          <span class="viewer">
            {viewer.name} ({viewer.scopes.join(', ') || 'no scopes'}){' '}
            {token ? (
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            ) : null}
          </span>
        ) : null}
        <a class="ide" href="/graphql">
          GraphQL IDE
        </a>
      </header>
      <main>
        {viewer === undefined ? <p class="loading">Loading…</p> : null}
        {viewer instanceof GraphQLFailure ? (
          viewer.code === 'UNAUTHENTICATED' ? (
            <SignIn message={token ? viewer.message : undefined} onToken={signIn} />
          ) : (
            <p class="error" role="alert">
              {viewer.message}
            </p>
          )
        ) : null}
        {signedIn && snapshot ? (
          <>
            <LeaseProtectionBanner status={snapshot.status} />
            <StatusLine status={snapshot.status} connection={snapshot.connection} resourceVersion={snapshot.resourceVersion} />
            {snapshot.error && snapshot.connection !== 'live' ? (
              <p class="error" role="alert">
                {snapshot.error.message}
                {watchRefused && token ? ' — sign out and in again with a valid token.' : ''}
              </p>
            ) : null}
            {route.page === 'service' ? (
              <ServicePage
                api={api}
                state={snapshot.state}
                namespace={route.namespace}
                name={route.name}
                endpoint={route.endpoint}
                writable={canWrite(viewer, route.namespace)}
              />
            ) : (
              <ServiceList summaries={serviceSummaries(snapshot.state)} />
            )}
          </>
        ) : null}
      </main>
    </>
  );
};

const root = document.getElementById('app')!;
root.replaceChildren();
render(<App />, root);
