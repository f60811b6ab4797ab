import { Kafka, logLevel } from 'kafkajs';
import type { RecordedEvent } from '@lib/domain';
import { AppendOutcomeUnknownError, LogUnavailableError } from '../event-log';
import { keyPartition } from '../key-partition';
import { commandEvents } from '../testing/event-log.contract';
import { KafkaEventLog } from './kafka-event-log';

const brokers = (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PARTITIONS = 3;
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
let counter = 0;

/** A fresh events topic; `maxMessageBytes` sets the broker's own limit for it. */
const freshTopic = async (maxMessageBytes?: number): Promise<string> => {
  const topic = `test.${process.env.TEST_RUN_ID}.${process.pid.toString(36)}.outcomes${++counter}.events`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, configEntries: maxMessageBytes ? [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] : [] }],
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
};

/** Every ce_id in the topic, read to its end offsets. */
const idsInTopic = async (topic: string): Promise<string[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = ends.reduce((n, p) => n + Number(p.high), 0);
  const consumer = kafka.consumer({ groupId: `${topic}.reader` });
  const ids: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void ids.push(String(message.headers?.ce_id)) });
    const deadline = Date.now() + 30000;
    while (ids.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return ids;
  } finally {
    await consumer.disconnect();
  }
};

const idsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.metadata.id);
const withPayload = (events: RecordedEvent[], bytes: number): RecordedEvent[] =>
  events.map((recorded) => ({ ...recorded, event: { ...recorded.event, data: { ...recorded.event.data, id: 'p'.repeat(bytes) } } }) as RecordedEvent);

/** A key on the given partition of PARTITIONS. */
const keyOn = (partition: number, tag: string): string => {
  for (let i = 0; ; i++) if (keyPartition(`ns/${tag}${i}`, PARTITIONS) === partition) return `ns/${tag}${i}`;
};

describe('KafkaEventLog append outcomes (real broker)', () => {
  const logs: KafkaEventLog[] = [];
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });
  const logOn = (eventsTopic: string, requestTimeoutMs: number) => {
    const log = new KafkaEventLog({ brokers, clientId: 'outcomes-test', eventsTopic, dlqTopic: `${eventsTopic}.dlq`, requestTimeoutMs });
    logs.push(log);
    return log;
  };

  it('never sends an append its caller was told is unavailable: timed out while queued, it is withdrawn', async () => {
    const topic = await freshTopic();
    const log = logOn(topic, 250);
    for (let warm = 0; ; warm++) {
      const ok = await log.append('w/warm', commandEvents('w/warm', 1)).then(() => true, () => false);
      if (ok || warm > 20) break;
    }
    // Thirty 900 KB commands on one partition take thirty sends (each fills the record limit); the
    // small ones queue behind them and time out there.
    const commands = [
      ...Array.from({ length: 30 }, () => ({ key: 'big/one', events: withPayload(commandEvents('big/one', 1), 900 * 1024) })),
      ...Array.from({ length: 20 }, (_, i) => ({ key: `small/s${i}`, events: commandEvents(`small/s${i}`, 1) })),
    ];
    const outcomes = await Promise.allSettled(commands.map((c) => log.append(c.key, c.events)));

    const withdrawn = commands.filter((_, i) => outcomes[i].status === 'rejected' && (outcomes[i] as PromiseRejectedResult).reason instanceof LogUnavailableError);
    const appended = commands.filter((_, i) => outcomes[i].status === 'fulfilled');
    expect(withdrawn.length).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect([LogUnavailableError, AppendOutcomeUnknownError]).toContain(outcome.reason.constructor);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a late send would land by now
    const inTopic = await idsInTopic(topic);
    for (const { events } of withdrawn) expect(inTopic).not.toEqual(expect.arrayContaining(idsOf(events)));
    for (const { events } of appended) expect(inTopic.filter((id) => id === events[0].metadata.id)).toHaveLength(1);
  });

  it("keeps one refused record from failing its neighbours in the same send, and writes each neighbour once", async () => {
    // The broker's limit for this topic is below what the adapter allows, so the broker refuses one command.
    const topic = await freshTopic(16 * 1024);
    const log = logOn(topic, 5000);
    await log.append('w/warm', commandEvents('w/warm', 1));
    const refusedKey = keyOn(0, 'refused');
    const neighbours = [keyOn(0, 'same'), keyOn(1, 'other'), keyOn(2, 'third'), keyOn(0, 'after')].map((key) => ({ key, events: commandEvents(key, 2) }));
    const refused = { key: refusedKey, events: withPayload(commandEvents(refusedKey, 1), 32 * 1024) };

    const [refusal, ...rest] = await Promise.allSettled([refused, ...neighbours].map((c) => log.append(c.key, c.events)));

    expect(refusal.status).toBe('rejected');
    expect((refusal as PromiseRejectedResult).reason).toBeInstanceOf(LogUnavailableError);
    expect(rest.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const inTopic = await idsInTopic(topic);
    expect(inTopic).not.toContain(refused.events[0].metadata.id);
    const expected = neighbours.flatMap((n) => idsOf(n.events));
    expect(inTopic.filter((id) => expected.includes(id)).sort()).toEqual([...expected].sort());
  });
});
