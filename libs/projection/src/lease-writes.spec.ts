import { evolve, type RecordedEvent, type RegistryEvent, type ServiceState } from '@lib/domain';
import type { ProjectedLeaseWrite } from '@lib/persistence';
import { lastLeaseWritePerEndpoint, projectedLeaseWrites, type LeaseView } from './lease-writes';

let sequence = 0;
const at = (event: RegistryEvent, id = `e${++sequence}`): RecordedEvent => ({
  event,
  metadata: { id, time: '2026-01-01T00:00:10.000Z', actor: 'test', commandId: id, commandSize: 1 },
});
const fold = (events: readonly RecordedEvent[], from?: ServiceState) => events.reduce<ServiceState | undefined>(evolve, from);
/** The writes one command produces, given the history before it. */
const writesOf = (history: readonly RecordedEvent[], command: readonly RecordedEvent[]) => {
  const before = fold(history);
  return projectedLeaseWrites(command, { namespace: 'default', serviceName: 'web' }, viewOf(before), viewOf(fold(command, before)));
};
const viewOf = (state: ServiceState | undefined): LeaseView => ({
  record: (id) => {
    const definition = state?.endpoints[id];
    const lease = state?.leases?.[id];
    return definition && (lease ? { definition, lease } : { definition });
  },
  leasedIds: () => Object.keys(state?.leases ?? {}),
});

const ref = { namespace: 'default', serviceName: 'web', id: 'vm-1' };
const web = at({ type: 'ServiceRegistered', data: { service: { namespace: 'default', name: 'web', labels: {}, ports: [], addressTypes: ['IPv4'] } } });
const registered = (id: string, ttlSeconds?: number) =>
  at(
    {
      type: 'EndpointRegistered',
      data: {
        namespace: 'default',
        serviceName: 'web',
        endpoint: {
          id: 'vm-1',
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          ports: [],
          ...(ttlSeconds ? { ttlSeconds, deregisterAfterSeconds: 3 * ttlSeconds } : {}),
        },
      },
    },
    id,
  );
const expired = (phase: 'NotReady' | 'Removed', leaseId: string) =>
  at({ type: 'EndpointExpired', data: { ...ref, phase, leaseLapsedAt: '2026-01-01T00:00:40.000Z', leaseId } });
const put = (leaseId: string, lapsedAt: string | null = null): ProjectedLeaseWrite => ({
  kind: 'put',
  ...ref,
  leaseId,
  ttlSeconds: 30,
  deregisterAfterSeconds: 90,
  renewedAt: '2026-01-01T00:00:10.000Z',
  lapsedAt,
});

describe('projectedLeaseWrites', () => {
  it('puts a row for a registration with a lease, and none without', () => {
    expect(writesOf([web], [registered('reg-1', 30)])).toEqual([put('reg-1')]);
    expect(writesOf([web], [registered('reg-1')])).toEqual([]);
  });

  it('deletes the row when the lease or the endpoint goes', () => {
    const leased = [web, registered('reg-1', 30)];
    const deleted = [{ kind: 'delete', ...ref }];
    expect(writesOf(leased, [registered('reg-2')])).toEqual(deleted);
    expect(writesOf(leased, [at({ type: 'EndpointDeregistered', data: ref })])).toEqual(deleted);
    expect(writesOf([...leased, expired('NotReady', 'reg-1')], [expired('Removed', 'reg-1')])).toEqual(deleted);
    expect(writesOf(leased, [at({ type: 'ServiceDeleted', data: { namespace: 'default', name: 'web' } })])).toEqual(deleted);
  });

  it('marks the lapse when the not-ready expiry is applied', () => {
    expect(writesOf([web, registered('reg-1', 30)], [expired('NotReady', 'reg-1')])).toEqual([put('reg-1', '2026-01-01T00:00:40.000Z')]);
  });

  it('rewrites the row for a stale expiry too, so the claim it answered is settled', () => {
    expect(writesOf([web, registered('reg-1', 30), registered('reg-2', 30)], [expired('NotReady', 'reg-1')])).toEqual([put('reg-2')]);
  });

  it('writes nothing for an explicit condition change', () => {
    const change = at({ type: 'EndpointConditionsChanged', data: { ...ref, conditions: { ready: false, serving: true, terminating: true } } });
    expect(writesOf([web, registered('reg-1', 30)], [change])).toEqual([]);
  });

  it('keeps the last write per endpoint over a batch', () => {
    const second: ProjectedLeaseWrite = { kind: 'delete', ...ref };
    const other: ProjectedLeaseWrite = { ...put('reg-9'), id: 'vm-2' };
    expect(lastLeaseWritePerEndpoint([put('reg-1'), other, second])).toEqual([second, other]);
  });
});
