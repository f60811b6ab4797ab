import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { LeaseRenewer } from '../src/leases/lease-renewer';
import { startRegistry, type RunningRegistry } from './registry-app';
import { eventsOnLog, readEventLog, type LoggedEvent } from './support/event-log-reader';
import {
  addresses,
  endpointConditions,
  HEARTBEAT,
  HEARTBEATS,
  LAPSED,
  leaseDatabase,
  leaseProtection,
  READY,
  REGISTER_SERVICE,
  registerLeased,
  RELEASE_PROTECTION,
  type Conditions,
  type LeaseProtection,
  type MutationResult,
} from './support/leases';

const expiries = (events: readonly LoggedEvent[], serviceName: string) =>
  events.filter((e) => e.type === 'endpoint.expired' && e.data.serviceName === serviceName);

const DRAINING: Conditions = { ready: false, serving: true, terminating: true };

describe('leases (real Kafka, real Postgres)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  let db: Awaited<ReturnType<typeof leaseDatabase>>;

  beforeAll(async () => {
    // Protection out of the way here; it has its own registry below.
    config = await isolatedConfig({ LEASE_SWEEP_MS: '200', LEASE_RENEW_COALESCE_MS: '100', LEASE_PROTECT_MIN: '100000' });
    registry = await startRegistry(config);
    db = await leaseDatabase(config);
  });
  afterAll(async () => {
    await registry?.close();
    await db?.close();
  });

  const service = (name: string) => graphqlOk(registry.url, REGISTER_SERVICE, { input: { name, ports: [{ port: 80 }] } });

  it('expires in two phases: not ready when the lease lapses, removed deregisterAfterSeconds later, each event saying why', async () => {
    await service('lapse');
    const [id] = addresses(1, 1);
    const registration = await registerLeased(registry.url, 'lapse', [id], { ttlSeconds: 1, deregisterAfterSeconds: 2 });
    expect((await endpointConditions(registry.url, 'lapse')).get(id)).toEqual(READY);

    await eventually(async () => expect((await endpointConditions(registry.url, 'lapse')).get(id)).toEqual(LAPSED));
    await eventually(async () => expect((await endpointConditions(registry.url, 'lapse')).has(id)).toBe(false));
    expect(await db.lease('lapse', id)).toBeUndefined();

    const [notReady, removed, ...more] = expiries(await readEventLog(config), 'lapse');
    expect(more).toEqual([]);
    const registeredAt = Date.parse((await readEventLog(config)).find((e) => e.id === registration.eventIds[0])?.time ?? '');
    for (const [event, phase] of [[notReady, 'NotReady'], [removed, 'Removed']] as const) {
      expect(event).toMatchObject({ key: 'default/lapse', actor: 'lease-sweeper' });
      expect(event.data).toEqual({
        namespace: 'default',
        serviceName: 'lapse',
        id,
        phase,
        leaseId: registration.eventIds[0],
        leaseLapsedAt: notReady.data.leaseLapsedAt,
      });
    }
    // The lapse is the registration's deadline; removal counts from the lapse.
    expect(Date.parse(notReady.data.leaseLapsedAt as string) - registeredAt).toBeGreaterThanOrEqual(1000 - 50);
    expect(Date.parse(removed.time) - Date.parse(notReady.data.leaseLapsedAt as string)).toBeGreaterThanOrEqual(2000);
  });

  it('restores a lapsed endpoint on a heartbeat with one event, then renews without any', async () => {
    await service('restore');
    const [id] = addresses(2, 1);
    await registerLeased(registry.url, 'restore', [id], { ttlSeconds: 1, deregisterAfterSeconds: 3600 }, { conditions: { serving: true, terminating: true } });
    expect((await endpointConditions(registry.url, 'restore')).get(id)).toEqual(DRAINING);
    await eventually(async () => expect((await endpointConditions(registry.url, 'restore')).get(id)).toEqual(LAPSED));
    // What the console shows in its lease column.
    const leases = async () =>
      (await graphqlOk<{ endpointLeases: { id: string; ttlSeconds: number; deadline: string; lapsed: boolean }[] }>(
        registry.url,
        `{ endpointLeases(serviceName: "restore") { id ttlSeconds deadline lapsed } }`,
      )).endpointLeases;
    const [lapsed] = await leases();
    expect(lapsed).toEqual({ id, ttlSeconds: 1, deadline: expect.stringMatching(/Z$/), lapsed: true });

    const restored = (await graphqlOk<{ heartbeat: MutationResult }>(registry.url, HEARTBEAT, { svc: 'restore', id })).heartbeat;
    expect(restored.eventIds).toHaveLength(1);
    expect(restored.resourceVersion).toMatch(/^\d+$/);
    // The conditions registered before the lapse, not "ready".
    expect((await endpointConditions(registry.url, 'restore')).get(id)).toEqual(DRAINING);
    const restore = (await readEventLog(config)).find((e) => e.id === restored.eventIds[0]);
    expect(restore).toMatchObject({ type: 'endpoint.conditions.changed', data: { id, reason: 'lease renewed', conditions: DRAINING } });

    const before = await eventsOnLog(config);
    const renewed = (await graphqlOk<{ heartbeat: MutationResult }>(registry.url, HEARTBEAT, { svc: 'restore', id })).heartbeat;
    expect(renewed).toEqual({ eventIds: [], resourceVersion: null });
    expect(await eventsOnLog(config)).toBe(before);
    // Read after the renewals (a read in between could make the 1 s TTL lapse again); the deadline
    // moved on, whether or not a busy machine has let it lapse once more since.
    const [renewedLease] = await leases();
    expect(Date.parse(renewedLease.deadline)).toBeGreaterThan(Date.parse(lapsed.deadline));
  });

  it('renews by heartbeat with no message on the log, many heartbeats sharing one statement', async () => {
    await service('beat');
    const ids = addresses(3, 40);
    await registerLeased(registry.url, 'beat', ids, { ttlSeconds: 60 });
    const deadline = async () => (await db.lease('beat', ids[7])).deadline.getTime();
    const first = await deadline();
    const before = await eventsOnLog(config);
    const renewer = registry.app.get(LeaseRenewer);
    const statements = renewer.stats.statements;

    const results = await Promise.all([
      ...ids.map((id) => graphqlOk<{ heartbeat: MutationResult }>(registry.url, HEARTBEAT, { svc: 'beat', id }).then((r) => r.heartbeat)),
      graphqlOk<{ heartbeats: MutationResult }>(registry.url, HEARTBEATS, { svc: 'beat', ids }).then((r) => r.heartbeats),
    ]);

    expect(results.every((r) => r.eventIds.length === 0 && r.resourceVersion === null)).toBe(true);
    // Durable when the mutation returns: the deadline has moved (database clock, now() + ttl).
    expect(await deadline()).toBeGreaterThan(first);
    expect(renewer.stats.statements - statements).toBeLessThan(ids.length / 2);
    expect(await eventsOnLog(config)).toBe(before);
  });

  it('renews the lease on re-registration, and expires the new lease by its own id', async () => {
    await service('again');
    const [id] = addresses(4, 1);
    await registerLeased(registry.url, 'again', [id], { ttlSeconds: 1, deregisterAfterSeconds: 3600 });
    await eventually(async () => expect((await endpointConditions(registry.url, 'again')).get(id)).toEqual(LAPSED));

    const again = await registerLeased(registry.url, 'again', [id], { ttlSeconds: 2, deregisterAfterSeconds: 3600 });
    expect((await endpointConditions(registry.url, 'again')).get(id)).toEqual(READY);
    expect(await db.lease('again', id)).toMatchObject({ lease_id: again.eventIds[0], lapsed_at: null });

    await eventually(async () => expect((await endpointConditions(registry.url, 'again')).get(id)).toEqual(LAPSED));
    const notReady = expiries(await readEventLog(config), 'again').map((e) => e.data);
    expect(notReady).toHaveLength(2);
    expect(notReady[1]).toMatchObject({ phase: 'NotReady', leaseId: again.eventIds[0] });
  });

  it.each([
    ['an endpoint without a lease', HEARTBEAT, { svc: 'plain', id: '10.5.0.1' }, 'BAD_USER_INPUT', 'id'],
    ['an unknown endpoint', HEARTBEAT, { svc: 'plain', id: '10.5.0.9' }, 'NOT_FOUND', 'id'],
    ['an unknown service', HEARTBEAT, { svc: 'nowhere', id: '10.5.0.1' }, 'NOT_FOUND', 'serviceName'],
    ['one endpoint of a bulk without a lease', HEARTBEATS, { svc: 'plain', ids: ['10.5.0.2', '10.5.0.1'] }, 'BAD_USER_INPUT', 'ids[1]'],
    ['a repeated id', HEARTBEATS, { svc: 'plain', ids: ['10.5.0.2', '10.5.0.2'] }, 'BAD_USER_INPUT', 'ids[1]'],
  ])('refuses a heartbeat for %s, renewing and appending nothing', async (_case, mutation, variables, code, field) => {
    if (!(await endpointConditions(registry.url, 'plain')).size) {
      await service('plain');
      await graphqlOk(registry.url, `mutation { registerEndpoint(input: { serviceName: "plain", addresses: ["10.5.0.1"] }) { eventIds } }`);
      await registerLeased(registry.url, 'plain', ['10.5.0.2'], { ttlSeconds: 600 });
    }
    const deadline = (await db.lease('plain', '10.5.0.2')).deadline.getTime();
    const before = await eventsOnLog(config);
    const result = await graphql(registry.url, mutation, variables);
    expect(result.errors?.[0].extensions).toMatchObject({ code, field });
    expect((await db.lease('plain', '10.5.0.2')).deadline.getTime()).toBe(deadline);
    expect(await eventsOnLog(config)).toBe(before);
  });
});

describe('lease protection (real Kafka, real Postgres)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;

  beforeAll(async () => {
    config = await isolatedConfig({ LEASE_SWEEP_MS: '200', LEASE_RENEW_COALESCE_MS: '50', LEASE_PROTECT_MIN: '5', LEASE_PROTECT_FRACTION: '0.3' });
    registry = await startRegistry(config);
  });
  afterAll(async () => {
    await registry?.close();
  });

  const readyz = async () => (await (await fetch(`${registry.url}/readyz`)).json()) as { status: string; leaseProtection: LeaseProtection };
  const metric = async (name: string) => {
    const text = await (await fetch(`${registry.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  const countConditions = async (conditions: Conditions) =>
    [...(await endpointConditions(registry.url, 'fleet')).values()].filter((c) => JSON.stringify(c) === JSON.stringify(conditions)).length;

  /** Heartbeats `ids` every 400 ms (TTL 2 s) until stopped. */
  const keepAlive = (ids: readonly string[]) => {
    let running = true;
    const loop = (async () => {
      while (running) {
        await graphqlOk(registry.url, HEARTBEATS, { svc: 'fleet', ids });
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  };

  it('holds expiry back on a mass lapse, shows it, ends by itself on renewals, and is ended by releaseLeaseProtection', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'fleet', ports: [{ port: 80 }] } });
    const ids = addresses(6, 10);
    const [survivors, lost] = [ids.slice(0, 8), ids.slice(8)];
    await registerLeased(registry.url, 'fleet', ids, { ttlSeconds: 2, deregisterAfterSeconds: 3600 });

    // All ten lapse at once: 10 >= 5 and 10 > 0.3 x 10.
    await eventually(async () => expect(await leaseProtection(registry.url)).toMatchObject({ active: true, pendingExpirations: 10 }));
    const episode = await leaseProtection(registry.url);
    expect(Date.parse(episode.since ?? '')).not.toBeNaN();
    expect(await readyz()).toMatchObject({ status: 'ready', leaseProtection: { active: true, pendingExpirations: 10 } });
    expect(await metric('registry_lease_protection_active')).toBe(1);
    expect(await metric('registry_lease_pending_expirations')).toBe(10);
    expect(await countConditions(READY)).toBe(10);
    expect(expiries(await readEventLog(config), 'fleet')).toEqual([]);

    // Eight come back: two lapses are under the minimum, protection ends and those two expire.
    const stop = keepAlive(survivors);
    try {
      await eventually(async () => expect(await leaseProtection(registry.url)).toMatchObject({ active: false }));
      await eventually(async () => expect(await countConditions(LAPSED)).toBe(2));
      const conditions = await endpointConditions(registry.url, 'fleet');
      expect(lost.map((id) => conditions.get(id))).toEqual([LAPSED, LAPSED]);
      expect(await metric('registry_lease_protection_active')).toBe(0);
    } finally {
      await stop();
    }

    // The eight lapse too: a new episode, which an operator ends.
    await eventually(async () => expect(await leaseProtection(registry.url)).toMatchObject({ active: true, pendingExpirations: 8 }));
    const released = (await graphqlOk<{ releaseLeaseProtection: { leaseProtection: LeaseProtection; projectorLag: number } }>(registry.url, RELEASE_PROTECTION))
      .releaseLeaseProtection;
    expect(released.leaseProtection).toMatchObject({ active: false, since: null });
    expect(released.projectorLag).toBeGreaterThanOrEqual(0);
    await eventually(async () => expect(await countConditions(LAPSED)).toBe(10));
    // Released for the rest of this episode: the count is still over the threshold, protection stays off.
    expect(await leaseProtection(registry.url)).toMatchObject({ active: false });
    const notReady = expiries(await readEventLog(config), 'fleet').filter((e) => e.data.phase === 'NotReady');
    expect(notReady.map((e) => e.data.id).sort()).toEqual([...ids].sort());
  });
});

describe('lease restart grace (real Kafka, real Postgres)', () => {
  it('gives every lease one TTL after the sweeper starts before anything expires', async () => {
    const config = await isolatedConfig({ LEASE_SWEEP_MS: '200', LEASE_RENEW_COALESCE_MS: '50', LEASE_PROTECT_MIN: '100000' });
    const db = await leaseDatabase(config);
    let registry = await startRegistry(config);
    try {
      await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'grace', ports: [{ port: 80 }] } });
      const [silent, beating] = addresses(7, 2);
      await registerLeased(registry.url, 'grace', [silent, beating], { ttlSeconds: 5, deregisterAfterSeconds: 3600 });
      const { leader: before } = await db.status();
      await registry.close();

      // Both leases lapse while the registry is down.
      await eventually(async () => expect((await db.lease('grace', silent)).deadline.getTime()).toBeLessThan((await db.now()).getTime()), 20_000);
      registry = await startRegistry(config);
      const restartedAt = await eventually(async () => {
        const status = await db.status();
        expect(status.leader).not.toBe(before);
        return status.leader_since?.getTime() ?? NaN;
      });
      // An instance that is alive renews within the grace (and then every second), and is never expired.
      await graphqlOk(registry.url, HEARTBEAT, { svc: 'grace', id: beating });
      expect((await db.now()).getTime()).toBeLessThan(restartedAt + 5000);
      let beatingAlive = true;
      const heartbeats = (async () => {
        while (beatingAlive) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await graphqlOk(registry.url, HEARTBEAT, { svc: 'grace', id: beating });
        }
      })();
      try {
        await eventually(async () => expect((await endpointConditions(registry.url, 'grace')).get(silent)).toEqual(LAPSED), 20_000);
      } finally {
        beatingAlive = false;
        await heartbeats;
      }
      expect((await endpointConditions(registry.url, 'grace')).get(beating)).toEqual(READY);
      const [expiry, ...others] = expiries(await readEventLog(config), 'grace');
      expect(others).toEqual([]);
      expect(expiry.data).toMatchObject({ id: silent, phase: 'NotReady' });
      // It lapsed while the registry was down, but expired only one TTL after the restart.
      expect(Date.parse(expiry.data.leaseLapsedAt as string)).toBeLessThan(restartedAt);
      expect(Date.parse(expiry.time) - restartedAt).toBeGreaterThanOrEqual(5000);
    } finally {
      await registry.close();
      await db.close();
    }
  });
});
