import { createClient, type Client } from 'graphql-ws';

/** A GraphQL error as the registry reports it: a message naming the field and rule, and a code. */
export class GraphQLFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

const firstFailure = (errors: GraphQLResponse<unknown>['errors']): GraphQLFailure | undefined => {
  const [error] = errors ?? [];
  return error && new GraphQLFailure(error.message, error.extensions?.code);
};

/** graphql-ws close codes of the registry: no or unknown token, token revoked. */
const TOKEN_REFUSED = new Set([4401, 4403]);

const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** The registry's own GraphQL API on the host that served the console, and nothing else. */
export class RegistryApi {
  private socket: Client | undefined;

  constructor(private readonly token: string | null) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(this.token) },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new GraphQLFailure('the registry cannot be reached', 'UNAVAILABLE');
    }
    const body = (await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }))) as GraphQLResponse<T>;
    const failure = firstFailure(body.errors);
    if (failure) throw failure;
    if (!body.data) throw new GraphQLFailure(`HTTP ${response.status} without data`, undefined);
    return body.data;
  }

  /**
   * One subscription over graphql-ws. The socket reconnects by itself after a network error;
   * `onError` hears an error of the operation (such as RESOURCE_VERSION_TOO_OLD), `onComplete`
   * the server ending it.
   */
  subscribe<T>(query: string, variables: Record<string, unknown>, handlers: { next: (data: T) => void; error: (failure: GraphQLFailure) => void; complete: () => void }): () => void {
    this.socket ??= createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      connectionParams: bearer(this.token),
      retryAttempts: Number.MAX_SAFE_INTEGER,
      // Network trouble and restarts are retried; a refused or revoked token is not (the list
      // that follows says why, and the console asks to sign in again).
      shouldRetry: (event) => !(event instanceof CloseEvent && TOKEN_REFUSED.has(event.code)),
    });
    return this.socket.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          const failure = firstFailure(result.errors as GraphQLResponse<T>['errors']);
          if (failure) handlers.error(failure);
          else if (result.data) handlers.next(result.data);
        },
        error: (error) => {
          const failure = Array.isArray(error) ? firstFailure(error) : undefined;
          handlers.error(failure ?? new GraphQLFailure(error instanceof Error ? error.message : 'the subscription failed', undefined));
        },
        complete: handlers.complete,
      },
    );
  }

  close(): void {
    void this.socket?.dispose();
  }
}
