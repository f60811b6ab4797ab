import { useEffect, useState } from 'preact/hooks';
import type { RegistryApi } from '../api';
import { formatTime } from './status';
import { TableHead } from './table-head';

interface HistoryEntry {
  readonly eventId: string;
  readonly type: string;
  readonly time: string;
  readonly actor: string | null;
  readonly data: Record<string, unknown>;
}

const HISTORY = `query History($namespace: String!, $serviceName: String!, $id: String!) {
  endpointHistory(namespace: $namespace, serviceName: $serviceName, id: $id, last: 50) { eventId type time actor data } }`;

/** Who did what to an endpoint, and when; newest first. `version` changes when the service's slices do. */
export const EndpointHistory = ({ api, namespace, serviceName, id, version }: { api: RegistryApi; namespace: string; serviceName: string; id: string; version: string }) => {
  const [entries, setEntries] = useState<readonly HistoryEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    api
      .request<{ endpointHistory: HistoryEntry[] }>(HISTORY, { namespace, serviceName, id })
      .then(({ endpointHistory }) => current && (setEntries([...endpointHistory].reverse()), setError(undefined)))
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [api, namespace, serviceName, id, version]);
  return (
    <section class="history" data-testid="endpoint-history">
      <h3>History of {id}</h3>
      {error ? <p class="error">{error}</p> : null}
      {entries?.length === 0 ? <p class="empty">No events recorded for this endpoint.</p> : null}
      <table>
        <TableHead columns={['When', 'What', 'Who', 'Details']} />
        <tbody>
          {(entries ?? []).map((entry) => (
            <tr key={entry.eventId}>
              <td>{formatTime(entry.time)}</td>
              <td>{entry.type}</td>
              <td>{entry.actor ?? '—'}</td>
              <td>
                <code>{JSON.stringify(entry.data)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
