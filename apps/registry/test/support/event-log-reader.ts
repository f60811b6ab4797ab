import { Kafka, logLevel } from 'kafkajs';
import type { RegistryConfig } from '@lib/config';

export interface LoggedEvent {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  /** The CloudEvents type without prefix and version: `endpoint.expired`. */
  readonly type: string;
  readonly id: string;
  readonly time: string;
  readonly actor: string;
  /** The CloudEvents distributed tracing extension, empty when the request carried none. */
  readonly traceparent: string;
  readonly data: Record<string, unknown>;
}

const kafkaOf = (config: RegistryConfig) => new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING });

/** Next offset to be written, per partition of the events topic. */
export const eventEndOffsets = async (config: RegistryConfig): Promise<Map<number, bigint>> => {
  const admin = kafkaOf(config).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(config.eventsTopic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
};

export const eventsOnLog = async (config: RegistryConfig): Promise<bigint> =>
  [...(await eventEndOffsets(config)).values()].reduce((a, b) => a + b, 0n);

/** Every event on the topic up to its current end, in partition and offset order. */
export const readEventLog = async (config: RegistryConfig): Promise<LoggedEvent[]> => {
  const ends = await eventEndOffsets(config);
  const wanted = [...ends.values()].reduce((a, b) => a + b, 0n);
  const consumer = kafkaOf(config).consumer({ groupId: `${config.eventsTopic}.reader.${Date.now()}.${Math.random().toString(36).slice(2)}` });
  const seen: LoggedEvent[] = [];
  let done!: () => void;
  const complete = new Promise<void>((resolve) => (done = resolve));
  if (wanted === 0n) done();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: config.eventsTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        if (offset >= (ends.get(partition) ?? 0n)) return;
        const header = (name: string) => String(message.headers?.[name] ?? '');
        seen.push({
          partition,
          offset,
          key: String(message.key),
          type: header('ce_type').replace(/^io\.endpointslice\.registry\./, '').replace(/\.v\d+$/, ''),
          id: header('ce_id'),
          time: header('ce_time'),
          actor: header('ce_actor'),
          traceparent: header('ce_traceparent'),
          data: JSON.parse(String(message.value)) as Record<string, unknown>,
        });
        if (BigInt(seen.length) >= wanted) done();
      },
    });
    await Promise.race([
      complete,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`read ${seen.length} of ${wanted} events within 30 s`)), 30_000).unref()),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return seen.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
};
