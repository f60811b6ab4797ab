import { Kafka, logLevel } from 'kafkajs';
import type { RegistryConfig } from '@lib/config';
import { EVENT_LOG, encodeEvent, type EventLog } from '@lib/messaging';
import { packSlice, ProjectionRepositories, unpackSlice } from '@lib/persistence';
import { rebuildProjection, verifyProjection, type MaintenanceOptions } from '@lib/projection';
import { eventually, graphqlOk, isolatedConfig } from '@lib/testing';
import { DataSource } from 'typeorm';
import { startRegistry, type RunningRegistry } from './registry-app';

const REGISTER_SERVICE = `mutation($i: RegisterServiceInput!) { registerService(input: $i) { resourceVersion } }`;
const REGISTER_ENDPOINTS = `mutation($i: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $i) { resourceVersion } }`;

const address = (n: number) => `10.${20 + Math.floor(n / 62500)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;

/** A log with every kind of change in it: >10,000 events. */
const driveWorkload = async (url: string) => {
  const call = (query: string, variables: Record<string, unknown> = {}) => graphqlOk(url, query, variables);
  for (let s = 0; s < 4; s++) {
    await call(REGISTER_SERVICE, { i: { name: `svc-${s}`, labels: { app: `a${s}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  }
  let n = 0;
  for (let round = 0; round < 10; round++) {
    const service = `svc-${round % 4}`;
    await call(REGISTER_ENDPOINTS, {
      i: Array.from({ length: 1000 }, () => ({ serviceName: service, addresses: [address(n++)], zone: `zone-${n % 3}`, nodeName: `node-${n % 7}` })),
    });
  }
  for (let k = 0; k < 20; k++) {
    await call(`mutation($id: String!) { setEndpointConditions(serviceName: "svc-0", id: $id, conditions: { serving: false }) { resourceVersion } }`, { id: address(k * 4) });
  }
  await call(`mutation($ids: [String!]!) { deregisterEndpoints(serviceName: "svc-1", ids: $ids) { resourceVersion } }`, {
    ids: Array.from({ length: 300 }, (_, k) => address(1000 + k * 2)),
  });
  await call(REGISTER_SERVICE, { i: { name: 'svc-2', labels: { app: 'changed' }, trafficDistribution: 'PreferClose', ports: [{ name: 'http', port: 80, targetPort: 9090 }] } });
  await call(`mutation { deleteService(name: "svc-3") { resourceVersion } }`);
  await call(REGISTER_SERVICE, { i: { name: 'svc-3', ports: [] } });
};

describe('the log is the truth', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  let options: MaintenanceOptions;

  beforeAll(async () => {
    config = await isolatedConfig();
    registry = await startRegistry(config);
    options = {
      databaseUrl: config.databaseUrl ?? '',
      groupId: config.projectorGroupId,
      eventsTopic: config.eventsTopic,
      maxEndpointsPerSlice: config.maxEndpointsPerSlice,
      cacheEndpoints: config.projectorCacheEndpoints,
      repositories: registry.app.get(ProjectionRepositories),
    };
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('dead-letters an undecodable message with its reason and source, and keeps projecting', async () => {
    const kafka = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const good = encodeEvent({
      event: { type: 'ServiceDeleted', data: { namespace: 'default', name: 'ghost' } },
      metadata: { id: 'x', time: '2026-01-01T00:00:00Z', actor: 'test', commandId: 'c', commandSize: 1 },
    });
    const [sent] = await producer.send({
      topic: config.eventsTopic,
      messages: [{ key: 'default/ghost', value: Buffer.from('{not json'), headers: good.headers }],
    });
    await producer.disconnect();

    const letters: { key: string; headers: Record<string, string> }[] = [];
    const consumer = kafka.consumer({ groupId: `${config.dlqTopic}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: config.dlqTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({ key: String(message.key), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
      },
    });
    try {
      await eventually(() => expect(letters).toHaveLength(1), 20000);
    } finally {
      await consumer.disconnect();
    }
    expect(letters[0].key).toBe('default/ghost');
    expect(letters[0].headers).toMatchObject({
      ce_type: 'io.endpointslice.registry.service.deleted.v1',
      dlq_source_topic: config.eventsTopic,
      dlq_source_partition: String(sent.partition),
      dlq_source_offset: sent.baseOffset,
    });
    expect(letters[0].headers.dlq_reason).toMatch(/not JSON/);

    await graphqlOk(registry.url, `mutation { registerService(input: { name: "after-dlq", ports: [] }) { resourceVersion } }`);
    const metrics = await (await fetch(`${registry.url}/metrics`)).text();
    expect(metrics).toMatch(/registry_projector_dead_lettered_events_total [1-9]/);
  });

  it('replays more than 10,000 events into a scratch schema identical to the live projection; rebuild gives the same slices', async () => {
    await driveWorkload(registry.url);
    const dataSource = registry.app.get(DataSource);
    const eventLog = registry.app.get<EventLog>(EVENT_LOG);

    const verified = await verifyProjection(dataSource, eventLog, options);
    expect(verified.replay.events).toBeGreaterThan(10000);
    expect(verified.slices).toBeGreaterThan(50);
    expect(verified.differences).toEqual([]);

    const before = await dataSource.query('SELECT object FROM endpoint_slices ORDER BY namespace, name');
    const [first]: { name: string; object: Buffer }[] = await dataSource.query('SELECT name, object FROM endpoint_slices ORDER BY name LIMIT 1');
    await dataSource.query('UPDATE endpoint_slices SET object = $1 WHERE name = $2', [packSlice(JSON.stringify({ ...unpackSlice(first.object), generation: 99 })), first.name]);
    const tampered = await verifyProjection(dataSource, eventLog, options);
    expect(tampered.differences).toEqual([expect.objectContaining({ problem: 'differs', fields: ['generation'] })]);

    const rebuilt = await rebuildProjection(dataSource, eventLog, options);
    expect(rebuilt.events).toBe(verified.replay.events);
    expect(await dataSource.query('SELECT object FROM endpoint_slices ORDER BY namespace, name')).toEqual(before);
  }, 240_000);
});
