import { DEREGISTER_AFTER_TTL_FACTOR, type EndpointRecord, type RecordedEvent } from '@lib/domain';
import type { ProjectedLeaseWrite } from '@lib/persistence';

/** One service's endpoints as lease writes see them, before or after a command. */
export interface LeaseView {
  record(id: string): EndpointRecord | undefined;
  /** Ids of the endpoints holding a lease (asked only when the command deletes the service). */
  leasedIds(): Iterable<string>;
}

/** Endpoints whose lease one command may have changed. */
const touchedEndpoints = (events: readonly RecordedEvent[], before: LeaseView): Set<string> => {
  const ids = new Set<string>();
  for (const { event } of events) {
    switch (event.type) {
      case 'EndpointRegistered':
        ids.add(event.data.endpoint.id);
        break;
      case 'EndpointConditionsChanged':
      case 'EndpointDeregistered':
      case 'EndpointExpired':
        ids.add(event.data.id);
        break;
      case 'ServiceDeleted':
        for (const id of before.leasedIds()) ids.add(id);
        break;
      case 'ServiceRegistered':
        break;
    }
  }
  return ids;
};

/**
 * The leases-table writes for one command, derived from the endpoints before and after it, so the
 * table follows the log in the projector's transaction: a row per leased endpoint, deleted when
 * the endpoint or its lease goes, rewritten (and any claim cleared) when a new incarnation begins,
 * the lease lapses, or an expiry of this endpoint arrives (applied or stale: its claim is settled).
 */
export const projectedLeaseWrites = (
  events: readonly RecordedEvent[],
  service: { readonly namespace: string; readonly serviceName: string },
  before: LeaseView,
  after: LeaseView,
): ProjectedLeaseWrite[] => {
  const expiries = new Set(events.flatMap(({ event }) => (event.type === 'EndpointExpired' ? [event.data.id] : [])));
  const writes: ProjectedLeaseWrite[] = [];
  for (const id of touchedEndpoints(events, before)) {
    const previous = before.record(id)?.lease;
    const next = after.record(id);
    const lease = next?.lease;
    const key = { id, ...service };
    if (!lease || !next.definition.ttlSeconds) {
      if (previous) writes.push({ kind: 'delete', ...key });
      continue;
    }
    const changed =
      previous?.leaseId !== lease.leaseId || previous.lapsed?.leaseLapsedAt !== lease.lapsed?.leaseLapsedAt || expiries.has(id);
    if (!changed) continue;
    const { ttlSeconds, deregisterAfterSeconds } = next.definition;
    writes.push({
      kind: 'put',
      ...key,
      leaseId: lease.leaseId,
      ttlSeconds,
      deregisterAfterSeconds: deregisterAfterSeconds ?? DEREGISTER_AFTER_TTL_FACTOR * ttlSeconds,
      renewedAt: lease.renewedAt,
      lapsedAt: lease.lapsed?.leaseLapsedAt ?? null,
    });
  }
  return writes;
};

/** Several commands of a batch may touch one endpoint: the last write describes its final row. */
export const lastLeaseWritePerEndpoint = (writes: readonly ProjectedLeaseWrite[]): ProjectedLeaseWrite[] => {
  const byKey = new Map<string, ProjectedLeaseWrite>();
  for (const write of writes) byKey.set(JSON.stringify([write.namespace, write.serviceName, write.id]), write);
  return [...byKey.values()];
};
