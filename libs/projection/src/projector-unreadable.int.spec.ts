import type { RecordedEvent, RegistryEvent } from '@lib/domain';
import { encodeEvent, keyPartition } from '@lib/messaging';
import { unpackSlice } from '@lib/persistence';
import { eventually } from '@lib/testing';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { Projector } from './projector';
import { projectorHarness } from './testing/projector-harness';

const kafka = new Kafka({ brokers: (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
const PARTITIONS = 3;

let sequence = 0;
const recorded = (event: RegistryEvent): RecordedEvent => ({
  event,
  metadata: { id: `raw-${++sequence}`, time: new Date().toISOString(), actor: 'raw-producer', commandId: `raw-command-${sequence}`, commandSize: 1 },
});

const serviceRegistered = (name: string, labels: Record<string, string> = {}): RegistryEvent => ({
  type: 'ServiceRegistered',
  data: { service: { namespace: 'default', name, labels, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], addressTypes: ['IPv4'] } },
});

const endpointRegistered = (serviceName: string, address: string, hostname: string): RegistryEvent => ({
  type: 'EndpointRegistered',
  data: { namespace: 'default', serviceName, endpoint: { id: address, addresses: [address], conditions: { ready: true, serving: true, terminating: false }, hostname, ports: [] } },
});

/** A service name whose key lands on the partition wanted. */
const serviceOn = (partition: number, tag: string): string => {
  for (let i = 0; ; i++) if (keyPartition(`default/${tag}${i}`, PARTITIONS) === partition) return `${tag}${i}`;
};

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

describe('Projector: an event Postgres could never store is dead-lettered, other partitions keep projecting (real broker)', () => {
  let env: Awaited<ReturnType<typeof projectorHarness>>;
  let projector: Projector | undefined;
  afterEach(async () => {
    await projector?.stop();
    await env?.close();
  });

  it('dead-letters a NUL in a label value and in an endpoint hostname with the field named, and projects the rest', async () => {
    env = await projectorHarness();
    const poisoned = serviceOn(0, 'poisoned');
    const sameKey = serviceOn(0, 'healthy');
    const other = serviceOn(1, 'other');
    const raw = [
      recorded(serviceRegistered(poisoned, { tier: 'we\u0000b' })),
      recorded(serviceRegistered(sameKey)),
      recorded(endpointRegistered(sameKey, '10.50.0.1', 'host\u00001')),
      recorded(endpointRegistered(sameKey, '10.50.0.2', 'host-2')),
      recorded(serviceRegistered(other)),
      recorded(endpointRegistered(other, '10.60.0.1', 'host-1')),
    ];
    // Straight to the topic, as a foreign or buggy writer would: the API would have refused these.
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (const event of raw) await producer.send({ topic: env.config.eventsTopic, messages: [encodeEvent(event)] });
    } finally {
      await producer.disconnect();
    }

    projector = env.projector();
    await projector.start();

    const endpointsOf = async (service: string): Promise<string[]> =>
      (await env.dataSource.query(`SELECT object FROM endpoint_slices WHERE namespace = 'default' AND service_name = $1`, [service]))
        .flatMap((r: { object: Buffer }) => unpackSlice(r.object).endpoints.map((e) => e.addresses[0]))
        .sort();
    await eventually(async () => {
      expect(await endpointsOf(other)).toEqual(['10.60.0.1']);
      expect(await endpointsOf(sameKey)).toEqual(['10.50.0.2']);
    }, 30_000, 200);
    expect(await env.dataSource.query('SELECT name FROM registry_services WHERE name = $1', [poisoned])).toEqual([]);

    const letters: Record<string, string>[] = [];
    const consumer = kafka.consumer({ groupId: `${env.config.dlqTopic}.reader` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: env.config.dlqTopic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void letters.push(text(message.headers)) });
      await eventually(() => expect(letters).toHaveLength(2), 30_000, 100);
    } finally {
      await consumer.disconnect();
    }
    expect(letters.map((h) => [h.ce_id, h.dlq_reason])).toEqual([
      [raw[0].metadata.id, expect.stringContaining('ServiceRegistered: data.service.labels.tier: contains U+0000, which Postgres cannot store')],
      [raw[2].metadata.id, expect.stringContaining('EndpointRegistered: data.endpoint.hostname: contains U+0000, which Postgres cannot store')],
    ]);
  });
});
