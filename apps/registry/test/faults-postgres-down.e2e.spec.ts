import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { RecordedEvent, RegistryEvent } from '@lib/domain';
import type { RegistryConfig } from '@lib/config';
import { encodeEvent } from '@lib/messaging';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { ensureFreshBuild, ProcessSupervisor, registryEnv, type BuiltProcess } from './support/built-processes';
import { PrivatePostgres } from './support/private-postgres';
import {
  endOffsets,
  expectCaughtUp,
  expectEndpointsExactlyOnce,
  expectSliceTopicMatches,
  REGISTER_ENDPOINTS,
  REGISTER_SERVICE,
} from './support/projection-audit';

const UNAVAILABLE_WITHIN_MS = 10_000;
const SERVICE = 'durable';

const endpointInputs = (from: number, count: number, zone: string) =>
  Array.from({ length: count }, (_, i) => ({ serviceName: SERVICE, addresses: [`10.30.0.${from + i}`], zone }));

let sequence = 0;
/** Events as the API would have recorded them, one command per list. */
const commands = (...lists: RegistryEvent[][]): RecordedEvent[][] =>
  lists.map((events) => {
    const commandId = `outage-command-${++sequence}`;
    return events.map((event) => ({
      event,
      metadata: { id: `outage-event-${++sequence}`, time: new Date().toISOString(), actor: 'fault-test', commandId, commandSize: events.length },
    }));
  });

const registered = (address: string, zone: string): RegistryEvent => ({
  type: 'EndpointRegistered',
  data: {
    namespace: 'default',
    serviceName: SERVICE,
    endpoint: { id: address, addresses: [address], conditions: { ready: true, serving: true, terminating: false }, zone, ports: [] },
  },
});

/** Appends straight to the events topic with the project's encoder, as an API replica would: one send per command. */
const appendToLog = async (config: RegistryConfig, commandEvents: readonly RecordedEvent[][]) => {
  const producer = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const events of commandEvents) await producer.send({ topic: config.eventsTopic, acks: -1, messages: events.map(encodeEvent) });
  } finally {
    await producer.disconnect();
  }
};

const committedToKafka = async (config: RegistryConfig): Promise<Record<number, string>> => {
  const admin = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: config.projectorGroupId, topics: [config.eventsTopic] });
    return Object.fromEntries(topic.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
};

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
};

const readyz = async (target: BuiltProcess) => {
  const response = await fetch(`${target.url}/readyz`, { signal: AbortSignal.timeout(UNAVAILABLE_WITHIN_MS) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('fault: Postgres stopped under a running registry (private cluster, built processes)', () => {
  const supervisor = new ProcessSupervisor();
  let cluster: PrivatePostgres | undefined;
  let db: Client | undefined;

  const connect = async (config: RegistryConfig) => {
    const client = new Client({ connectionString: config.databaseUrl });
    client.on('error', () => undefined); // the server is stopped under it on purpose
    db = client;
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    const build = await ensureFreshBuild();
    console.info(`fault tests: dist ${build.rebuilt ? 'rebuilt' : 'already fresh'} in ${build.ms} ms`);
  }, 300_000);

  afterAll(async () => {
    await supervisor.dispose();
    await db?.end().catch(() => undefined);
    await cluster?.destroy();
  });

  it('answers UNAVAILABLE, pauses the projector without skipping, and catches up by itself when Postgres is back', () =>
    supervisor.explainFailure(async () => {
      cluster = await PrivatePostgres.create();
      const config = await isolatedConfig({ DATABASE_URL: cluster.url() });
      const env = registryEnv(config);
      const api = await supervisor.start('api', 'api', env);
      const projector = await supervisor.start('projector', 'projector', env);

      await graphqlOk(api.url, REGISTER_SERVICE, { input: { name: SERVICE, ports: [{ port: 80 }] } });
      const before = endpointInputs(1, 10, 'before');
      await graphqlOk(api.url, REGISTER_ENDPOINTS, { inputs: before });
      const setup = await connect(config);
      await eventually(() => expectCaughtUp(setup, config), 60_000, 250);
      await setup.end();
      const endsBeforeOutage = await endOffsets(config);

      await cluster.stop();

      const mutation = await timed(() => graphql(api.url, REGISTER_ENDPOINTS, { inputs: endpointInputs(50, 1, 'refused') }));
      expect(mutation.result.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
      expect(mutation.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
      expect(await endOffsets(config)).toEqual(endsBeforeOutage); // refused means nothing appended
      const query = await timed(() => graphql(api.url, `{ endpointSlices(serviceName: "${SERVICE}") { totalCount } }`));
      expect(query.result.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
      expect(query.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
      const ready = await readyz(api);
      expect({ status: ready.status, eventLog: ready.body.eventLog }).toEqual({ status: 503, eventLog: 'ok' });
      expect(ready.body.postgres).toMatch(/^down: /);
      console.info(`fault tests: with Postgres stopped, mutation UNAVAILABLE after ${mutation.ms} ms, query after ${query.ms} ms`);

      // Accepted while the projection is down (the API cannot decide without state, a replica could
      // have appended just before): a bulk, then changes that only come out right if applied in order.
      const bulk = Array.from({ length: 20 }, (_, i) => registered(`10.30.1.${i + 1}`, 'outage'));
      await appendToLog(
        config,
        commands(
          bulk,
          [{ type: 'EndpointConditionsChanged', data: { namespace: 'default', serviceName: SERVICE, id: '10.30.1.1', conditions: { ready: false, serving: false, terminating: false } } }],
          [{ type: 'EndpointDeregistered', data: { namespace: 'default', serviceName: SERVICE, id: '10.30.1.2' } }],
          [registered('10.30.1.3', 'outage-again')],
        ),
      );

      // The projector retries the same batch with growing delays and commits nothing to Kafka.
      const retries = () => projector.logLines().filter((l) => l.msg === 'batch not applied, retrying');
      await eventually(() => expect(retries().length).toBeGreaterThanOrEqual(5), 60_000, 250);
      const delays = retries().map((l) => l.retryInMs as number);
      expect(delays.slice(0, 5)).toEqual([100, 200, 400, 800, 1600]);
      const committed = await committedToKafka(config);
      for (const [partition, end] of endsBeforeOutage) expect(BigInt(committed[partition] ?? '-1')).toBeLessThanOrEqual(end);

      await cluster.start();

      // Same processes, no restart: the projection catches up and the API answers again.
      const audit = await connect(config);
      await eventually(() => expectCaughtUp(audit, config), 120_000, 500);
      const expected = new Map(before.map((e) => [e.addresses[0], e.zone]));
      for (let i = 1; i <= 20; i++) expected.set(`10.30.1.${i}`, 'outage');
      expected.delete('10.30.1.2');
      expected.set('10.30.1.3', 'outage-again');
      await eventually(() => expectEndpointsExactlyOnce(api.url, new Map([[SERVICE, expected]]), 100), 30_000, 500);
      const conditions = await graphqlOk<{ endpointSlices: { nodes: { endpoints: { addresses: string[]; conditions: { serving: boolean } }[] }[] } }>(
        api.url,
        `{ endpointSlices(serviceName: "${SERVICE}") { nodes { endpoints { addresses conditions { serving } } } } }`,
      );
      const flipped = conditions.endpointSlices.nodes.flatMap((s) => s.endpoints).find((e) => e.addresses[0] === '10.30.1.1');
      expect(flipped?.conditions.serving).toBe(false);
      await expectSliceTopicMatches(audit, config);

      const after = await eventually(
        () => graphqlOk<{ registerEndpoints: { resourceVersion: string | null } }>(api.url, REGISTER_ENDPOINTS, { inputs: endpointInputs(60, 1, 'after') }),
        60_000,
        500,
      );
      expect(after.registerEndpoints.resourceVersion).toMatch(/^\d+$/);
      await eventually(async () => expect((await readyz(api)).status).toBe(200), 30_000, 500);
      expect([api.running, projector.running]).toEqual([true, true]);
    }),
    420_000,
  );
});
