import { Client } from 'pg';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphqlOk, isolatedConfig, watch, type Watch } from '@lib/testing';
import { ensureFreshBuild, ProcessSupervisor, registryEnv } from './support/built-processes';
import {
  appliedTotal,
  BulkLoad,
  endOffsets,
  expectCaughtUp,
  expectConsistentChangeLog,
  expectEndpointsExactlyOnce,
  expectSliceTopicMatches,
  REGISTER_SERVICE,
  rewindKafkaCommits,
} from './support/projection-audit';

// Fault tests run the shipped processes (dist), so the first one may have to build.
const BUILD_TIMEOUT_MS = 300_000;
const CATCH_UP_MS = 120_000;

const registerServices = async (url: string, load: BulkLoad) => {
  for (const name of load.services) await graphqlOk(url, REGISTER_SERVICE, { input: { name, ports: [{ name: 'http', port: 80 }] } });
};

const eventsOnLog = async (config: RegistryConfig) => [...(await endOffsets(config)).values()].reduce((a, b) => a + b, 0n);

describe('fault: projector processes killed with SIGKILL under load (built processes, real Kafka + Postgres)', () => {
  const supervisor = new ProcessSupervisor();
  const clients: Client[] = [];
  const watches: Watch[] = [];

  const connect = async (config: RegistryConfig) => {
    const db = new Client({ connectionString: config.databaseUrl });
    clients.push(db);
    await db.connect();
    return db;
  };

  beforeAll(async () => {
    const build = await ensureFreshBuild();
    console.info(`fault tests: dist ${build.rebuilt ? 'rebuilt' : 'already fresh'} in ${build.ms} ms`);
  }, BUILD_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(watches.splice(0).map((w) => w.stop()));
    await supervisor.stopAll();
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

  afterAll(() => supervisor.dispose());

  it('shows every endpoint exactly once after the projector is SIGKILLed mid-stream and restarted', () =>
    supervisor.explainFailure(async () => {
      const config = await isolatedConfig();
      const env = registryEnv(config);
      const db = await connect(config);
      const api = await supervisor.start('api', 'api', env);
      const projector = await supervisor.start('projector', 'projector', env);
      const load = new BulkLoad(['alpha', 'beta', 'gamma', 'delta'], 10);
      await registerServices(api.url, load);
      await eventually(() => expectCaughtUp(db, config), CATCH_UP_MS, 100);
      const setup = await appliedTotal(db, config);

      // Kill once the projector has committed about half of the first half of the stream (several
      // commands per service, so a redelivered old one would visibly rewrite slices); the second
      // half is only sent once it is dead, so the log is certainly ahead of the projection.
      const firstHalfEvents = BigInt(load.services.length * 5 * BulkLoad.PER_REQUEST);
      const killed = (async () => {
        await eventually(async () => expect(await appliedTotal(db, config)).toBeGreaterThanOrEqual(setup + firstHalfEvents / 2n), CATCH_UP_MS, 10);
        await projector.kill('SIGKILL');
        return appliedTotal(db, config);
      })();
      await load.send(api.url, 0, 5);
      const appliedAtKill = await killed;
      await load.send(api.url, 5, 10);

      expect(await projector.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(load.accepted).toBe(40);
      // One event per endpoint and per service: the idempotent producer added none on retries.
      expect(await eventsOnLog(config)).toBe(BigInt(load.services.length + 40 * BulkLoad.PER_REQUEST));
      expect(appliedAtKill).toBeLessThan(await eventsOnLog(config));

      // The restarted projector starts from its Postgres offsets; what Kafka redelivers (here: the
      // whole topic, until that seek lands) must be recognised as applied and skipped.
      await rewindKafkaCommits(config);
      await supervisor.start('projector', 'projector-restarted', env);
      await eventually(() => expectCaughtUp(db, config), CATCH_UP_MS, 250);
      await expectEndpointsExactlyOnce(api.url, load.expected, config.maxEndpointsPerSlice);
      await expectConsistentChangeLog(db);
      await expectSliceTopicMatches(db, config);
    }),
    300_000,
  );

  it('loses and duplicates nothing when one of two projector instances in a group is killed during a load', () =>
    supervisor.explainFailure(async () => {
      const config = await isolatedConfig({ EVENTS_PARTITIONS: '4' });
      const env = registryEnv(config);
      const db = await connect(config);
      const api = await supervisor.start('api', 'api', env);
      const first = await supervisor.start('projector', 'projector-a', env);
      const load = new BulkLoad(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'], 5);
      await registerServices(api.url, load);
      await eventually(() => expectCaughtUp(db, config), CATCH_UP_MS, 100);
      const setup = await appliedTotal(db, config);
      const { endpointSlices } = await graphqlOk<{ endpointSlices: { resourceVersion: string } }>(api.url, '{ endpointSlices { resourceVersion } }');
      const watcher = watch(api.url, { rv: endpointSlices.resourceVersion });
      watches.push(watcher);

      // The second instance joins while the load runs (a rebalance under load)...
      const [, second] = await Promise.all([load.send(api.url, 0, 2), supervisor.start('projector', 'projector-b', env)]);
      const firstPartEvents = BigInt(load.services.length * 2 * BulkLoad.PER_REQUEST);
      await eventually(async () => expect(await appliedTotal(db, config)).toBeGreaterThanOrEqual(setup + firstPartEvents / 2n), CATCH_UP_MS, 10);
      // ...and the first dies without leaving the group: its partitions move after the session timeout.
      await first.kill('SIGKILL');
      await load.send(api.url, 2, 5);
      expect(load.accepted).toBe(40);

      await eventually(() => expectCaughtUp(db, config), 150_000, 500);
      await expectEndpointsExactlyOnce(api.url, load.expected, config.maxEndpointsPerSlice);
      const committed = await expectConsistentChangeLog(db);
      expect(second.logLines().some((l) => l.msg === 'batch applied')).toBe(true);

      // What a watcher saw through the API: every committed change after its list, once, in order.
      const afterList = committed.filter((rv) => BigInt(rv) > BigInt(endpointSlices.resourceVersion));
      await eventually(() => expect(watcher.events.map((e) => e.resourceVersion)).toEqual(afterList), 30_000);
      expect(watcher.errors).toEqual([]);
      await expectSliceTopicMatches(db, config);
    }),
    360_000,
  );
});
