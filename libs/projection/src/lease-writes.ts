import { DEREGISTER_AFTER_TTL_FACTOR, type RecordedEvent, type ServiceState } from '@lib/domain';
import type { ProjectedLeaseWrite } from '@lib/persistence';

/** Endpoints whose lease one command may have changed. */
const touchedEndpoints = (events: readonly RecordedEvent[], before: ServiceState | undefined): Set<string> => {
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
        for (const id of Object.keys(before?.leases ?? {})) ids.add(id);
        break;
      case 'ServiceRegistered':
        break;
    }
  }
  return ids;
};

/**
 * The leases-table writes for one command, derived from the state before and after it, so the
 * table follows the log in the projector's transaction: a row per leased endpoint, deleted when
 * the endpoint or its lease goes, rewritten (and any claim cleared) when a new incarnation begins,
 * the lease lapses, or an expiry of this endpoint arrives (applied or stale: its claim is settled).
 */
export const projectedLeaseWrites = (
  events: readonly RecordedEvent[],
  before: ServiceState | undefined,
  after: ServiceState | undefined,
): ProjectedLeaseWrite[] => {
  const expiries = new Set(events.flatMap(({ event }) => (event.type === 'EndpointExpired' ? [event.data.id] : [])));
  const writes: ProjectedLeaseWrite[] = [];
  for (const id of touchedEndpoints(events, before)) {
    const previous = before?.leases?.[id];
    const lease = after?.leases?.[id];
    const endpoint = after?.endpoints[id];
    const key = { namespace: (after ?? before)?.definition.namespace ?? '', serviceName: (after ?? before)?.definition.name ?? '', id };
    if (!lease || !endpoint?.ttlSeconds) {
      if (previous) writes.push({ kind: 'delete', ...key });
      continue;
    }
    const changed =
      previous?.leaseId !== lease.leaseId || previous.lapsed?.leaseLapsedAt !== lease.lapsed?.leaseLapsedAt || expiries.has(id);
    if (!changed) continue;
    writes.push({
      kind: 'put',
      ...key,
      leaseId: lease.leaseId,
      ttlSeconds: endpoint.ttlSeconds,
      deregisterAfterSeconds: endpoint.deregisterAfterSeconds ?? DEREGISTER_AFTER_TTL_FACTOR * endpoint.ttlSeconds,
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
