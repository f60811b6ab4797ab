import { useEffect, useState } from 'preact/hooks';
import type { RegistryApi } from '../api';
import { endpointRows, isReady, keyOf, slicesOf, type Conditions, type EndpointRow, type RegistryState } from '../registry-state';
import { endpointHref, serviceHref } from '../route';
import { EndpointHistory } from './endpoint-history';
import { formatPort } from './service-list';
import { formatTime } from './status';
import { TableHead } from './table-head';

interface Lease {
  readonly id: string;
  readonly ttlSeconds: number;
  readonly deadline: string;
  readonly lapsed: boolean;
}

const LEASES = `query Leases($namespace: String!, $serviceName: String!) {
  endpointLeases(namespace: $namespace, serviceName: $serviceName) { id ttlSeconds deadline lapsed } }`;
const SET_CONDITIONS = `mutation SetConditions($namespace: String!, $serviceName: String!, $id: String!, $ready: Boolean!) {
  setEndpointConditions(namespace: $namespace, serviceName: $serviceName, id: $id, conditions: { ready: $ready }) { resourceVersion } }`;
const DEREGISTER = `mutation Deregister($namespace: String!, $serviceName: String!, $id: String!) {
  deregisterEndpoint(namespace: $namespace, serviceName: $serviceName, id: $id) { resourceVersion } }`;

const ConditionBadges = ({ conditions }: { conditions: Conditions }) => (
  <span class="conditions">
    {isReady(conditions) ? <span class="badge ready">ready</span> : <span class="badge not-ready">NOT READY</span>}
    {conditions.serving === false ? <span class="badge not-ready">not serving</span> : null}
    {conditions.terminating ? <span class="badge terminating">terminating</span> : null}
  </span>
);

type Action = { readonly label: string; readonly confirm: string; readonly run: () => Promise<unknown> };

const actionsFor = (api: RegistryApi, namespace: string, serviceName: string, row: EndpointRow): Action[] => {
  const variables = { namespace, serviceName, id: row.id };
  const drainOrReady: Action = isReady(row.conditions)
    ? { label: 'Drain', confirm: `Set ${row.id} not ready? Clients stop sending it traffic.`, run: () => api.request(SET_CONDITIONS, { ...variables, ready: false }) }
    : { label: 'Set ready', confirm: `Set ${row.id} ready? Clients start sending it traffic.`, run: () => api.request(SET_CONDITIONS, { ...variables, ready: true }) };
  return [drainOrReady, { label: 'Deregister', confirm: `Deregister ${row.id} from ${namespace}/${serviceName}? It leaves every slice.`, run: () => api.request(DEREGISTER, variables) }];
};

/** One service: its endpoints over all slices (conditions, zone, node, lease), its slices, an endpoint's history. */
export const ServicePage = ({
  api,
  state,
  namespace,
  name,
  endpoint,
  writable,
}: {
  api: RegistryApi;
  state: RegistryState;
  namespace: string;
  name: string;
  endpoint: string | undefined;
  writable: boolean;
}) => {
  const slices = slicesOf(state, namespace, name);
  const rows = endpointRows(slices);
  const service = state.services.get(keyOf(namespace, name));
  // Changes whenever one of the service's slices does: the leases and the history are read again.
  const version = slices.map((slice) => slice.metadata.resourceVersion).join(',');
  const [leases, setLeases] = useState<ReadonlyMap<string, Lease>>(new Map());
  const [message, setMessage] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    api
      .request<{ endpointLeases: Lease[] }>(LEASES, { namespace, serviceName: name })
      .then(({ endpointLeases }) => current && setLeases(new Map(endpointLeases.map((lease) => [lease.id, lease]))))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, namespace, name, version]);

  const perform = (action: Action) => {
    if (!window.confirm(action.confirm)) return;
    setMessage(undefined);
    // What the action changes arrives through the watch; only a refusal is shown here.
    action.run().catch((failure: Error) => setMessage(failure.message));
  };

  if (!service && slices.length === 0) {
    return (
      <section>
        <p class="empty">
          No service {namespace}/{name} (or this token cannot read it). <a href="#/">All services</a>
        </p>
      </section>
    );
  }
  return (
    <section>
      <p class="crumbs">
        <a href="#/">Services</a> / {namespace} / <strong>{name}</strong>
      </p>
      <h2>
        {namespace}/{name}
      </h2>
      <p>Ports: {service ? service.ports.map(formatPort).join(', ') || 'none' : '…'}</p>
      {message ? <p class="error" role="alert">{message}</p> : null}
      <h3>Endpoints</h3>
      <table data-testid="endpoints">
        <TableHead columns={['Endpoint', 'Addresses', 'Conditions', 'Zone', 'Node', 'Lease deadline', writable && 'Actions']} />
        <tbody>
          {rows.map((row) => {
            const lease = leases.get(row.id);
            return (
              <tr key={row.id} data-endpoint={row.id} class={isReady(row.conditions) ? undefined : 'not-ready'}>
                <td>
                  <a href={endpointHref(namespace, name, row.id)} title="History">
                    {row.id}
                  </a>
                </td>
                <td>{row.addresses.join(', ')}</td>
                <td data-testid="conditions">
                  <ConditionBadges conditions={row.conditions} />
                </td>
                <td>{row.zone ?? '—'}</td>
                <td>{row.nodeName ?? '—'}</td>
                <td>{lease ? `${formatTime(lease.deadline)}${lease.lapsed ? ' (lapsed)' : ''} · ttl ${lease.ttlSeconds}s` : '—'}</td>
                {writable ? (
                  <td class="actions">
                    {actionsFor(api, namespace, name, row).map((action) => (
                      <button key={action.label} type="button" onClick={() => perform(action)}>
                        {action.label}
                      </button>
                    ))}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? <p class="empty">No endpoints registered.</p> : null}
      {endpoint ? (
        <>
          <EndpointHistory api={api} namespace={namespace} serviceName={name} id={endpoint} version={version} />
          <p>
            <a href={serviceHref(namespace, name)}>Close history</a>
          </p>
        </>
      ) : null}
      <h3>EndpointSlices</h3>
      <table data-testid="slices">
        <TableHead columns={['Name', 'Address type', 'Ports', 'Endpoints', 'Generation', 'resourceVersion']} />
        <tbody>
          {slices.map((slice) => (
            <tr key={slice.metadata.name}>
              <td>{slice.metadata.name}</td>
              <td>{slice.addressType}</td>
              <td>{slice.ports.map((port) => `${port.name ? `${port.name} ` : ''}${port.port ?? '—'}/${port.protocol}`).join(', ')}</td>
              <td>{slice.endpoints.length}</td>
              <td>{slice.metadata.generation}</td>
              <td>{slice.metadata.resourceVersion}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
