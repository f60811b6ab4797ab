import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { LogBatch, LogMessage } from '../event-log';
import { commandEvents, describeEventLogContract } from '../testing/event-log.contract';
import { KafkaEventLog } from './kafka-event-log';

const brokers = (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PARTITIONS = 3;
let counter = 0;

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/** Reads a whole topic from the beginning with a throwaway group. */
const readTopic = async (topic: string, count: number): Promise<LogMessage[]> => {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `${topic}.reader.${Date.now()}` });
  const seen: LogMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ key: message.key?.toString() ?? null, value: message.value, headers: text(message.headers), offset: BigInt(message.offset) });
      },
    });
    const deadline = Date.now() + 30000;
    while (seen.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return seen;
  } finally {
    await consumer.disconnect();
  }
};

describeEventLogContract('Kafka (real broker)', async () => {
  const name = `test.${process.env.TEST_RUN_ID}.${process.pid.toString(36)}.contract${++counter}`;
  const eventsTopic = `${name}.events`;
  const dlqTopic = `${name}.dlq`;
  const log = new KafkaEventLog({ brokers, clientId: 'contract-test', eventsTopic, dlqTopic, requestTimeoutMs: 5000 });
  await log.ensureTopics([
    { topic: eventsTopic, partitions: PARTITIONS },
    { topic: dlqTopic, partitions: 1 },
  ]);
  return { log, eventsTopic, dlqTopic, partitions: PARTITIONS, readDeadLetters: (count) => readTopic(dlqTopic, count), close: () => log.close() };
});

describe('KafkaEventLog: a partition with a backlog beyond one fetch', () => {
  const logs: KafkaEventLog[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
  });

  /** One partition holding about 7 MB: more than three fetches of 2 MiB. */
  const backlog = async () => {
    const name = `test.${process.env.TEST_RUN_ID}.${process.pid.toString(36)}.backlog${++counter}`;
    const log = new KafkaEventLog({ brokers, clientId: 'backlog-test', eventsTopic: `${name}.events`, dlqTopic: `${name}.dlq`, requestTimeoutMs: 10000 });
    logs.push(log);
    await log.ensureTopics([
      { topic: `${name}.events`, partitions: 1 },
      { topic: `${name}.dlq`, partitions: 1 },
    ]);
    let end = 0n;
    for (let i = 0; i < 40; i++) end = (await log.append('big/service', commandEvents('big/service', 500))).offset + 1n;
    return { log, end };
  };

  /**
   * A handler like the projector's: it applies a batch only on top of its stored position (a
   * batch after a gap fails), and records what it applied.
   */
  const storingHandler = (failSecond: boolean) => {
    let next = 0n;
    let running = 0;
    let mostAtOnce = 0;
    let batches = 0;
    const applied: bigint[] = [];
    const onBatch = async (batch: LogBatch) => {
      const nth = ++batches;
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 150));
        if (failSecond && nth === 2) throw new Error('the second batch fails once');
        const messages = batch.messages.filter((m) => m.offset >= next);
        if (messages.length === 0) return;
        if (messages[0].offset !== next) throw new Error(`gap: stored ${next}, batch starts at ${messages[0].offset}`);
        applied.push(...messages.map((m) => m.offset));
        next = messages[messages.length - 1].offset + 1n;
      } finally {
        running--;
      }
    };
    return { onBatch, seekTo: async () => next, applied, mostAtOnce: () => mostAtOnce, batches: () => batches };
  };

  /** Consumes the whole backlog with a fresh group; returns the handler once it applied every offset (or a minute passed). */
  const consumeAll = async (failSecond: boolean) => {
    const { log, end } = await backlog();
    const handler = storingHandler(failSecond);
    const handle = await log.consume({ groupId: `backlog.${randomUUID()}`, seekTo: handler.seekTo, onBatch: handler.onBatch });
    try {
      const deadline = Date.now() + 60000;
      while (BigInt(handler.applied.length) < end && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await handle.stop();
    }
    return { handler, every: Array.from({ length: Number(end) }, (_, i) => BigInt(i)) };
  };

  it("hands a partition's next batch over while the previous one's handler runs, every offset once and in order", async () => {
    const { handler, every } = await consumeAll(false);
    expect(handler.applied).toEqual(every);
    expect(handler.mostAtOnce()).toBe(2);
  });

  it('fetches again from the stored position when a batch handed over ahead was not applied', async () => {
    const { handler, every } = await consumeAll(true);
    expect(handler.applied).toEqual(every);
    // The failed batch and the one handed over behind it came again.
    expect(handler.batches()).toBeGreaterThan(4);
  });
});
