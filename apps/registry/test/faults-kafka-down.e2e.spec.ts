import { Client } from 'pg';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { ensureFreshBuild, ProcessSupervisor, registryEnv, type BuiltProcess } from './support/built-processes';
import { MANAGED_BROKER, startBroker, stopBroker } from './support/kafka-broker';
import {
  ACK_ONLY,
  expectCaughtUp,
  expectEndpointsExactlyOnce,
  expectSliceTopicMatches,
  REGISTER_ENDPOINTS,
  REGISTER_SERVICE,
  type ExpectedEndpoints,
} from './support/projection-audit';

const REQUEST_TIMEOUT_MS = 2000;
/** "A few seconds": the configured Kafka timeout plus the API's own work, with room for a loaded machine. */
const UNAVAILABLE_WITHIN_MS = 10_000;

const endpoints = (from: number, count: number, zone: string) =>
  Array.from({ length: count }, (_, i) => ({ serviceName: 'steady', addresses: [`10.20.0.${from + i}`], zone }));

const readyz = async (target: BuiltProcess) => {
  const started = Date.now();
  const response = await fetch(`${target.url}/readyz`, { signal: AbortSignal.timeout(UNAVAILABLE_WITHIN_MS) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, ms: Date.now() - started };
};

describe('fault: Kafka stopped under a running registry (built processes, shared broker)', () => {
  const supervisor = new ProcessSupervisor();
  let db: Client | undefined;

  beforeAll(async () => {
    const build = await ensureFreshBuild();
    console.info(`fault tests: dist ${build.rebuilt ? 'rebuilt' : 'already fresh'} in ${build.ms} ms`);
  }, 300_000);

  afterAll(async () => {
    await supervisor.dispose();
    await db?.end();
  });

  it('fails mutations fast with UNAVAILABLE, keeps answering queries, and recovers without a restart', () =>
    supervisor.explainFailure(async () => {
      const config: RegistryConfig = await isolatedConfig({ KAFKA_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
      expect(config.kafkaBrokers).toEqual([MANAGED_BROKER]);
      db = new Client({ connectionString: config.databaseUrl });
      await db.connect();
      const env = registryEnv(config);
      const api = await supervisor.start('api', 'api', env);
      const projector = await supervisor.start('projector', 'projector', env);
      const accepted: ExpectedEndpoints = new Map([['steady', new Map<string, string>()]]);
      const accept = (inputs: ReturnType<typeof endpoints>) => {
        for (const input of inputs) accepted.get('steady')?.set(input.addresses[0], input.zone);
      };

      await graphqlOk(api.url, REGISTER_SERVICE, { input: { name: 'steady', ports: [{ port: 80 }] } });
      const projected = endpoints(1, 20, 'before');
      await graphqlOk(api.url, REGISTER_ENDPOINTS, { inputs: projected });
      accept(projected);
      // Acknowledged by Kafka right before it goes away; the projector may not have seen them yet.
      const acked = endpoints(21, 30, 'acked');
      await graphqlOk(api.url, REGISTER_ENDPOINTS, { inputs: acked }, ACK_ONLY);
      accept(acked);

      let stopped = false;
      try {
        await stopBroker();
        stopped = true;

        const started = Date.now();
        const refused = await graphql(api.url, REGISTER_ENDPOINTS, { inputs: endpoints(100, 1, 'refused') });
        const refusedAfterMs = Date.now() - started;
        expect(refused.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
        expect(refused.errors?.[0].message).toMatch(/Kafka/);
        expect(refusedAfterMs).toBeLessThan(UNAVAILABLE_WITHIN_MS);

        // Queries are served from Postgres: what was projected stays readable.
        const { endpointSlices } = await graphqlOk<{ endpointSlices: { nodes: { endpoints: { addresses: string[] }[] }[] } }>(
          api.url,
          '{ endpointSlices(serviceName: "steady") { nodes { endpoints { addresses } } } }',
        );
        const visible = endpointSlices.nodes.flatMap((s) => s.endpoints.map((e) => e.addresses[0]));
        expect(visible).toEqual(expect.arrayContaining(projected.map((e) => e.addresses[0])));

        for (const target of [api, projector]) {
          const { status, body, ms } = await readyz(target);
          expect({ name: target.name, status, postgres: body.postgres }).toEqual({ name: target.name, status: 503, postgres: 'ok' });
          expect(body.eventLog).toMatch(/^down: /);
          expect(ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
        }
        console.info(`fault tests: UNAVAILABLE after ${refusedAfterMs} ms with Kafka stopped`);
      } finally {
        if (stopped) await startBroker();
      }

      // Kafka is back: the same processes take writes and project them again.
      const back = Date.now();
      const after = endpoints(60, 10, 'after');
      await eventually(() => graphqlOk(api.url, REGISTER_ENDPOINTS, { inputs: after }, ACK_ONLY), 120_000, 1000);
      const writableAfterMs = Date.now() - back;
      accept(after);
      await eventually(() => expectCaughtUp(db as Client, config), 120_000, 500);
      console.info(`fault tests: Kafka back; writes accepted after ${writableAfterMs} ms, projection caught up after ${Date.now() - back} ms`);
      const waited = await graphqlOk<{ registerEndpoints: { resourceVersion: string | null } }>(api.url, REGISTER_ENDPOINTS, {
        inputs: endpoints(80, 1, 'waited'),
      });
      // Read-your-writes again: the projector consumes and commits without having been restarted.
      expect(waited.registerEndpoints.resourceVersion).toMatch(/^\d+$/);
      accept(endpoints(80, 1, 'waited'));
      // Nothing accepted is lost, and the refused mutation left nothing behind.
      await expectEndpointsExactlyOnce(api.url, accepted, 100);
      // The slice change topic, published from the change log after the commit, caught up too.
      await expectSliceTopicMatches(db as Client, config);
      await eventually(async () => expect((await readyz(api)).status).toBe(200), 30_000, 500);
      expect([api.running, projector.running]).toEqual([true, true]);
    }),
    420_000,
  );
});
