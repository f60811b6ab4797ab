import type { RecordedEvent, RegistryEvent } from './events';
import { evolve, LEASE_LAPSED_CONDITIONS } from './evolve';
import { checkLeaseRenewal, leaseRestoreEvents, LEASE_RENEWED_REASON, type RenewLeases } from './lease-renewal';
import type { EndpointConditions } from './model';
import type { ServiceState } from './state';
import { domainErrorOf } from '../testing/domain-error';

let sequence = 0;
const at = (event: RegistryEvent, id = `e${++sequence}`, time = '2026-01-01T00:00:00Z'): RecordedEvent => ({
  event,
  metadata: { id, time, actor: 'test', commandId: `c-${id}`, commandSize: 1 },
});
const fold = (events: readonly RecordedEvent[], from?: ServiceState): ServiceState | undefined =>
  events.reduce<ServiceState | undefined>((state, recorded) => evolve(state === undefined ? state : Object.freeze(state), recorded), from);

const ready: EndpointConditions = { ready: true, serving: true, terminating: false };
const draining: EndpointConditions = { ready: false, serving: true, terminating: true };
const ref = { namespace: 'default', serviceName: 'web', id: 'vm-1' };

const web = at({
  type: 'ServiceRegistered',
  data: { service: { namespace: 'default', name: 'web', labels: {}, ports: [], addressTypes: ['IPv4'] } },
});
const registered = (id: string, ttlSeconds: number | undefined, conditions = ready): RecordedEvent =>
  at(
    {
      type: 'EndpointRegistered',
      data: {
        namespace: 'default',
        serviceName: 'web',
        endpoint: {
          id: 'vm-1',
          addresses: ['10.0.0.1'],
          conditions,
          ports: [],
          ...(ttlSeconds === undefined ? {} : { ttlSeconds, deregisterAfterSeconds: 3 * ttlSeconds }),
        },
      },
    },
    id,
    '2026-01-01T00:00:10Z',
  );
const expired = (phase: 'NotReady' | 'Removed', leaseId?: string): RecordedEvent =>
  at({ type: 'EndpointExpired', data: { ...ref, phase, leaseLapsedAt: '2026-01-01T00:00:40Z', ...(leaseId ? { leaseId } : {}) } });
const renewed = (leaseId: string, conditions = ready, id?: string): RecordedEvent =>
  at({ type: 'EndpointConditionsChanged', data: { ...ref, conditions, reason: LEASE_RENEWED_REASON, leaseId } }, id, '2026-01-01T00:00:45Z');
const conditionsSet = (conditions: EndpointConditions): RecordedEvent =>
  at({ type: 'EndpointConditionsChanged', data: { ...ref, conditions } });

const conditionsOf = (state: ServiceState | undefined) => state?.endpoints['vm-1']?.conditions;

describe('evolve: leases', () => {
  it('begins a lease incarnation at a registration with ttlSeconds, named by the event', () => {
    expect(fold([web, registered('reg-1', 30)])?.leases).toEqual({ 'vm-1': { leaseId: 'reg-1', renewedAt: '2026-01-01T00:00:10Z' } });
  });

  it('keeps no lease for an endpoint registered without ttlSeconds, and drops one when re-registered without', () => {
    expect(fold([web, registered('reg-1', undefined)])?.leases).toBeUndefined();
    expect(fold([web, registered('reg-1', 30), registered('reg-2', undefined)])?.leases).toEqual({});
  });

  it('turns the endpoint not ready on a lapse and remembers the conditions to restore', () => {
    const state = fold([web, registered('reg-1', 30, draining), expired('NotReady', 'reg-1')]);
    expect(conditionsOf(state)).toEqual(LEASE_LAPSED_CONDITIONS);
    expect(state?.leases?.['vm-1'].lapsed).toEqual({ leaseLapsedAt: '2026-01-01T00:00:40Z', conditions: draining });
  });

  it('restores the remembered conditions on a renewal that names the lapsed lease, as a new incarnation', () => {
    const state = fold([web, registered('reg-1', 30, draining), expired('NotReady', 'reg-1'), renewed('reg-1', draining, 'renew-1')]);
    expect(conditionsOf(state)).toEqual(draining);
    expect(state?.leases?.['vm-1']).toEqual({ leaseId: 'renew-1', renewedAt: '2026-01-01T00:00:45Z' });
  });

  it('ends ready when the renewal reaches the log before the expiry it answers', () => {
    const state = fold([web, registered('reg-1', 30), renewed('reg-1'), expired('NotReady', 'reg-1'), expired('Removed', 'reg-1')]);
    expect(conditionsOf(state)).toEqual(ready);
  });

  it('ignores an expiry of an incarnation a re-registration replaced', () => {
    const state = fold([web, registered('reg-1', 30), registered('reg-2', 30), expired('NotReady', 'reg-1')]);
    expect(conditionsOf(state)).toEqual(ready);
    expect(state?.leases?.['vm-1'].lapsed).toBeUndefined();
  });

  it('re-registering a lapsed endpoint makes it ready with the new registration', () => {
    const state = fold([web, registered('reg-1', 30), expired('NotReady', 'reg-1'), registered('reg-2', 30)]);
    expect(conditionsOf(state)).toEqual(ready);
    expect(state?.leases?.['vm-1']).toEqual({ leaseId: 'reg-2', renewedAt: '2026-01-01T00:00:10Z' });
  });

  it('treats a repeated expiry or renewal as a no-op', () => {
    const lapsed = fold([web, registered('reg-1', 30, draining), expired('NotReady', 'reg-1')]);
    expect(evolve(lapsed, expired('NotReady', 'reg-1'))).toBe(lapsed);
    const restored = fold([renewed('reg-1', draining, 'renew-1')], lapsed);
    expect(evolve(restored, renewed('reg-1', draining))).toBe(restored);
  });

  it('removes the endpoint and its lease in the second phase', () => {
    const state = fold([web, registered('reg-1', 30), expired('NotReady', 'reg-1'), expired('Removed', 'reg-1')]);
    expect(state?.endpoints).toEqual({});
    expect(state?.leases).toEqual({});
  });

  it('keeps a lapsed endpoint not ready under an explicit condition change, which the renewal then restores', () => {
    const lapsed = fold([web, registered('reg-1', 30), expired('NotReady', 'reg-1'), conditionsSet(draining)]);
    expect(conditionsOf(lapsed)).toEqual(LEASE_LAPSED_CONDITIONS);
    expect(lapsed?.leases?.['vm-1'].lapsed?.conditions).toEqual(draining);
  });

  it('still applies expiries without a leaseId (written before leases were tracked)', () => {
    expect(conditionsOf(fold([web, registered('reg-1', undefined), expired('NotReady')]))).toEqual(LEASE_LAPSED_CONDITIONS);
    expect(fold([web, registered('reg-1', 30), expired('NotReady'), expired('Removed')])?.endpoints).toEqual({});
  });

  it('drops the lease with the endpoint on deregistration', () => {
    const state = fold([web, registered('reg-1', 30), at({ type: 'EndpointDeregistered', data: ref })]);
    expect(state?.leases).toEqual({});
  });
});

describe('checkLeaseRenewal', () => {
  const renew = (...ids: string[]): RenewLeases => ({
    namespace: 'default',
    serviceName: 'web',
    endpoints: ids.map((id, i) => ({ id, field: `ids[${i}]` })),
  });

  it('accepts endpoints that have a lease', () => {
    expect(() => checkLeaseRenewal(renew('vm-1'), fold([web, registered('reg-1', 30)]))).not.toThrow();
  });

  it('answers NOT_FOUND for an unknown service or endpoint', () => {
    expect(domainErrorOf(() => checkLeaseRenewal(renew('vm-1'), undefined))).toMatchObject({ code: 'NOT_FOUND', field: 'serviceName' });
    expect(domainErrorOf(() => checkLeaseRenewal(renew('vm-1', 'vm-9'), fold([web, registered('reg-1', 30)])))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'ids[1]',
    });
  });

  it('answers BAD_USER_INPUT for an endpoint without a lease', () => {
    expect(domainErrorOf(() => checkLeaseRenewal(renew('vm-1'), fold([web, registered('reg-1', undefined)])))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'ids[0]',
      rule: expect.stringContaining('ttlSeconds'),
    });
  });
});

describe('leaseRestoreEvents', () => {
  const command = { namespace: 'default', serviceName: 'web' };

  it('restores the conditions from before the lapse, naming the lapsed incarnation', () => {
    const lapsed = fold([web, registered('reg-1', 30, draining), expired('NotReady', 'reg-1')]);
    expect(leaseRestoreEvents(command, lapsed, [{ id: 'vm-1', leaseId: 'reg-1' }])).toEqual([
      { type: 'EndpointConditionsChanged', data: { ...ref, conditions: draining, reason: 'lease renewed', leaseId: 'reg-1' } },
    ]);
  });

  it('uses the current conditions when the projection has not applied the expiry yet', () => {
    const lagging = fold([web, registered('reg-1', 30, draining)]);
    expect(leaseRestoreEvents(command, lagging, [{ id: 'vm-1', leaseId: 'reg-1' }])[0].data.conditions).toEqual(draining);
  });

  it('writes nothing for an endpoint that is gone', () => {
    expect(leaseRestoreEvents(command, fold([web]), [{ id: 'vm-1', leaseId: 'reg-1' }])).toEqual([]);
  });
});
