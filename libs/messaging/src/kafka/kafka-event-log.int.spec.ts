import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { LogMessage } from '../event-log';
import { describeEventLogContract } from '../testing/event-log.contract';
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
