import { eventually, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { ensureFreshBuild, ProcessSupervisor, registryEnv } from './support/built-processes';
import { eventsOnLog, readEventLog } from './support/event-log-reader';
import { addresses, endpointConditions, leaseDatabase, REGISTER_SERVICE, registerLeased } from './support/leases';

// The sweepers run in the shipped projector processes (dist), so the first test may have to build.
const BUILD_TIMEOUT_MS = 300_000;
const SERVICES = ['alpha', 'beta', 'gamma', 'delta'];
const PER_SERVICE = 5;

describe('lease sweeper failover (built processes, real Kafka + Postgres)', () => {
  const supervisor = new ProcessSupervisor();
  let api: RunningRegistry | undefined;

  beforeAll(async () => {
    const build = await ensureFreshBuild();
    console.info(`lease failover: dist ${build.rebuilt ? 'rebuilt' : 'already fresh'} in ${build.ms} ms`);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await api?.close();
    await supervisor.dispose();
  });

  it('hands sweeping to a standby within seconds of a SIGKILL, and appends every expiry exactly once', async () => {
    const leases = { LEASE_SWEEP_MS: '200', LEASE_RENEW_COALESCE_MS: '50', LEASE_PROTECT_MIN: '100000' };
    const config = await isolatedConfig(leases);
    const env = registryEnv(config, leases);
    const db = await leaseDatabase(config);
    try {
      const first = await supervisor.start('projector', 'projector-1', env);
      await eventually(async () => expect((await db.status()).leader).toContain(`:${first.pid}:`), 30_000);
      const second = await supervisor.start('projector', 'projector-2', env);
      api = await startRegistry(config, { projector: false });

      const ids = new Map(SERVICES.map((name, s) => [name, addresses(20 + s, PER_SERVICE)]));
      for (const [name, endpoints] of ids) {
        await graphqlOk(api.url, REGISTER_SERVICE, { input: { name, ports: [{ port: 80 }] } });
        await registerLeased(api.url, name, endpoints, { ttlSeconds: 2, deregisterAfterSeconds: 2 });
      }

      // Killed the moment its first expiries reach the log: mid-sweep, with claims and appends in flight.
      const registrations = await eventsOnLog(config);
      await eventually(async () => expect(await eventsOnLog(config)).toBeGreaterThan(registrations), 30_000, 10);
      await first.kill('SIGKILL');
      const killedAt = Date.now();
      await eventually(async () => expect((await db.status()).leader).toContain(`:${second.pid}:`), 15_000, 50);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(second.running).toBe(true);

      // The dead projector's partitions wait for Kafka's session timeout; then everything settles.
      await eventually(
        async () => {
          for (const name of SERVICES) expect((await endpointConditions(api!.url, name)).size).toBe(0);
        },
        180_000,
        500,
      );
      const expired = (await readEventLog(config)).filter((e) => e.type === 'endpoint.expired');
      const phases = (phase: string) => expired.filter((e) => e.data.phase === phase).map((e) => `${e.data.serviceName}/${e.data.id}`).sort();
      const all = [...ids].flatMap(([name, endpoints]) => endpoints.map((id) => `${name}/${id}`)).sort();
      expect(phases('NotReady')).toEqual(all);
      expect(phases('Removed')).toEqual(all);
      expect(new Set(expired.map((e) => e.id)).size).toBe(expired.length);
    } finally {
      await db.close();
    }
  }, 300_000);
});
