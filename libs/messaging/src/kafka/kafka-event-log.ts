import { CompressionTypes, Kafka, logLevel, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import type { RecordedEvent } from '@lib/domain';
import { encodeCommand, type EncodedEvent } from '../cloudevents';
import { AppendBatcher } from './append-batcher';
import { keyPartitioner } from './key-partitioner';
import { registerLz4Codec } from './lz4-codec';
import { RepeatedStrings } from './repeated-strings';
import { DEFAULT_MAX_RECORD_BYTES, requireWithinRecordLimit, withinRequestSize } from './request-size';
import { ThrottledOffsetCommits } from './throttled-offset-commits';
import {
  AppendOutcomeUnknownError,
  LogUnavailableError,
  type PublishedRecord,
  type AppendResult,
  type ConsumerHandle,
  type DeadLetter,
  type EventLog,
  type LogBatch,
  type LogMessage,
  type BatchHandlerContext,
  type OffsetRange,
} from '../event-log';

// The slice topic is LZ4-compressed: every client of this module can read what it publishes.
registerLz4Codec();

export interface KafkaEventLogOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly eventsTopic: string;
  readonly dlqTopic: string;
  /** Bound on every broker round trip, so a missing broker is an error in seconds, not a hang. */
  readonly requestTimeoutMs: number;
  /** The broker's message.max.bytes: a command's events must fit one record batch of this size. */
  readonly maxRecordBytes?: number;
}

/** Up to this many partitions of a fetch are handled at once (all of them with the default EVENTS_PARTITIONS). */
const PARTITIONS_CONSUMED_CONCURRENTLY = 32;
const OFFSET_COMMIT_INTERVAL_MS = 1000;

/** The key's slot: any name is correct (the bytes are compared); one no header has keeps both remembered. */
const KEY_SLOT = '\u0000key';

const NO_HEADERS: IHeaders = Object.freeze({});

const headersToStrings = (headers: IHeaders | undefined, strings: RepeatedStrings): Record<string, string> => {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  // for...in, not Object.entries: no array of pairs per record (3% of a replaying projector's allocations).
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    result[name] = Buffer.isBuffer(first) ? strings.decode(name, first) : String(first);
  }
  return result;
};

/**
 * The broker answered the produce request with a non-retriable error (too large, invalid record,
 * not authorized...): kafkajs gives up at once, so no earlier attempt can have been written.
 */
const isBrokerRefusal = (error: unknown): boolean => {
  for (let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSProtocolError') return e.retriable === false;
    if (e.cause === e) break;
  }
  return false;
};

export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerReady?: Promise<void>;
  private adminReady?: Promise<void>;
  private readonly consumers = new Set<Consumer>();
  private readonly batcher: AppendBatcher;
  private knownPartitions?: Promise<number>;

  constructor(private readonly options: KafkaEventLogOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: Math.min(options.requestTimeoutMs, 3000),
      requestTimeout: options.requestTimeoutMs,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: Math.max(200, options.requestTimeoutMs / 3) },
    });
    // Idempotent and acks from all in-sync replicas: a retried send never duplicates or reorders events.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: keyPartitioner });
    this.admin = this.kafka.admin();
    this.batcher = new AppendBatcher({
      prepare: async () => (await Promise.all([this.connectedProducer(), this.eventsPartitions()]))[1],
      send: (records) => this.sendRecords(records),
      isRefusal: isBrokerRefusal,
      maxRecordBytes: this.maxRecordBytes,
      timeoutMs: options.requestTimeoutMs,
    });
  }

  private get maxRecordBytes(): number {
    return this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  private connectedProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  private connectedAdmin(): Promise<void> {
    this.adminReady ??= this.admin.connect().catch((error: unknown) => {
      this.adminReady = undefined;
      throw error;
    });
    return this.adminReady;
  }

  assertAppendable(key: string, events: readonly RecordedEvent[]): void {
    requireWithinRecordLimit(encodeCommand(key, events), this.maxRecordBytes);
  }

  async append(key: string, events: readonly RecordedEvent[]): Promise<AppendResult> {
    const records = encodeCommand(key, events);
    const bytes = requireWithinRecordLimit(records, this.maxRecordBytes);
    try {
      const { partition, offset } = await this.batcher.append(records, bytes);
      return { topic: this.options.eventsTopic, partition, offset };
    } catch (error) {
      if (error instanceof AppendOutcomeUnknownError) error.commandId ??= events[0]?.metadata.commandId;
      throw error;
    }
  }

  /** Only the producer's send: connecting and sizing happen before, in the batcher's `prepare`. */
  private async sendRecords(records: readonly (EncodedEvent & { partition: number })[]): Promise<Map<number, bigint>> {
    const written = await this.producer.send({
      topic: this.options.eventsTopic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map((r) => ({ ...r })),
    });
    return new Map(written.map((w) => [w.partition, BigInt(w.baseOffset ?? w.offset ?? '0')]));
  }

  /** The events topic's partition count, fetched once (and again after a failure). */
  private eventsPartitions(): Promise<number> {
    this.knownPartitions ??= this.connectedAdmin()
      .then(() => this.admin.fetchTopicMetadata({ topics: [this.options.eventsTopic] }))
      .then(({ topics }) => topics[0].partitions.length)
      .catch((error: unknown) => {
        this.knownPartitions = undefined;
        throw error;
      });
    return this.knownPartitions;
  }

  async consume(options: {
    groupId: string;
    seekTo: (partition: number) => Promise<bigint | undefined>;
    onBatch: (batch: LogBatch, context: BatchHandlerContext) => Promise<void>;
  }): Promise<ConsumerHandle> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // A dead projector's partitions move to a live one after this long (heartbeats every 3 s).
      sessionTimeout: 10000,
      heartbeatInterval: 3000,
      // Bound what one batch and one fetch hold in memory (and one transaction writes): the
      // projector stays small under a backlog (kafkajs asks for 10 MiB per fetch by default). The
      // next fetch waits for this one's last commit, so each fetch costs a wait on Kafka, then on
      // Postgres: a fetch of 2 MiB left a replaying projector idle a third of the time, 4 MiB
      // halved those waits (replay +18%); 5 MiB, with short statements and one stringify per
      // chunk (json-chunks), about a third more within the same memory; 6 MiB needs a heap that
      // grows 1.3× after a full collection, which costs the write path (see README).
      maxBytesPerPartition: 2.5 * 1024 * 1024,
      maxBytes: 5 * 1024 * 1024,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    this.consumers.add(consumer);
    const { GROUP_JOIN } = consumer.events;
    // Positions live in Postgres with the projection: on every assignment, start from there.
    consumer.on(GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[this.options.eventsTopic] ?? [];
      for (const partition of partitions) {
        void options.seekTo(partition).then(
          (offset) => offset !== undefined && consumer.seek({ topic: this.options.eventsTopic, partition, offset: offset.toString() }),
          () => undefined, // the batch handler skips already-applied offsets anyway
        );
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.eventsTopic], fromBeginning: true });
    const commits = new ThrottledOffsetCommits((offsets) => consumer.commitOffsets(offsets), OFFSET_COMMIT_INTERVAL_MS);
    const strings = new RepeatedStrings();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch of a fetch is handed over at once, so the projector's group commit
      // can apply them in one transaction.
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        const messages: LogMessage[] = batch.messages.map((m) => {
          const message = { key: m.key ? strings.decode(KEY_SLOT, m.key) : null, value: m.value, headers: headersToStrings(m.headers, strings), offset: BigInt(m.offset) };
          // kafkajs holds the batch until this handler returns, then reads only its offsets: a
          // record's key and header Buffers (13 per event, copied here as strings) would live as
          // long as the transaction, outlive young-generation collections and be promoted.
          m.key = null;
          if (m.headers) m.headers = NO_HEADERS;
          return message;
        });
        await options.onBatch(
          { topic: batch.topic, partition: batch.partition, messages },
          { heartbeat, isRunning: () => isRunning() && !isStale() },
        );
        resolveOffset(batch.lastOffset());
        commits.resolve({ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() });
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await commits.flush();
        await consumer.disconnect();
      },
    };
  }

  /** Plain records to another topic (the slice change topic); null value = tombstone. */
  readonly publish = async (topic: string, records: readonly PublishedRecord[]): Promise<void> => {
    await this.bounded(async () => {
      await this.connectedProducer();
      // LZ4: a slice's JSON shrinks about sixfold for a few microseconds of native code, and kafkajs
      // then copies, checksums and sends a sixth of the bytes (gzip cost more CPU than it saved).
      // Requests are sized by the uncompressed records, so each stays below the broker's limit.
      for (const run of withinRequestSize(records)) {
        await this.producer.send({ topic, acks: -1, compression: CompressionTypes.LZ4, messages: run.map((r) => ({ key: r.key, value: r.value, headers: r.headers && { ...r.headers } })) });
      }
    });
  };

  async deadLetter(letter: DeadLetter): Promise<void> {
    await this.bounded(async () => {
      await this.connectedProducer();
      await this.producer.send({
        topic: this.options.dlqTopic,
        acks: -1,
        messages: [
          {
            key: letter.message.key,
            value: letter.message.value,
            headers: {
              ...letter.message.headers,
              dlq_reason: letter.reason,
              dlq_source_topic: letter.source.topic,
              dlq_source_partition: String(letter.source.partition),
              dlq_source_offset: letter.source.offset.toString(),
            },
          },
        ],
      });
    });
  }

  async endOffsets(): Promise<Map<number, bigint>> {
    const offsets = await this.bounded(async () => {
      await this.connectedAdmin();
      return this.admin.fetchTopicOffsets(this.options.eventsTopic);
    });
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  async offsetRanges(): Promise<Map<number, OffsetRange>> {
    const offsets = await this.bounded(async () => {
      await this.connectedAdmin();
      return this.admin.fetchTopicOffsets(this.options.eventsTopic);
    });
    return new Map(offsets.map((o) => [o.partition, { start: BigInt(o.low), end: BigInt(o.high) }]));
  }

  /** Asks the broker afresh (partitions may have been added), and appends use the answer from now on. */
  async partitionCount(): Promise<number> {
    this.knownPartitions = undefined;
    return this.bounded(() => this.eventsPartitions());
  }

  async ping(): Promise<void> {
    await this.bounded(async () => {
      await this.connectedAdmin();
      await this.admin.describeCluster();
    });
  }

  /** Creates missing topics; compaction for the slice topic so it converges to the current set. */
  async ensureTopics(topics: readonly { topic: string; partitions: number; compacted?: boolean }[]): Promise<void> {
    await this.connectedAdmin();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: -1,
        configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [{ name: 'retention.ms', value: '-1' }],
      })),
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /** Any failure or a stall past the request timeout becomes LogUnavailableError. */
  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LogUnavailableError(`Kafka did not answer within ${this.options.requestTimeoutMs} ms`)),
        this.options.requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([work(), deadline]);
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Kafka is unavailable: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
