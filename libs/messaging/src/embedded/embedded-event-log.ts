import { Logger } from '@nestjs/common';
import type { RecordedEvent } from '@lib/domain';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { encodeCommand } from '../cloudevents';
import { DEFAULT_MAX_RECORD_BYTES, requireWithinRecordLimit } from '../kafka/request-size';
import {
  AppendOutcomeUnknownError,
  LogUnavailableError,
  type AppendResult,
  type BatchHandlerContext,
  type ConsumerHandle,
  type DeadLetter,
  type EventLog,
  type LogBatch,
  type LogMessage,
  type OffsetRange,
} from '../event-log';
import { keyPartition } from '../key-partition';

export interface EmbeddedEventLogOptions {
  readonly eventsTopic: string;
  readonly dlqTopic: string;
  /** Partitions of the events topic when this log creates it; an existing topic keeps its count. */
  readonly eventsPartitions: number;
  /**
   * Wake consumers in other processes with LISTEN/NOTIFY (real Postgres). Must be off on PGlite:
   * its sockets share one session, and a notification goes to the connection that sent it.
   */
  readonly notifications: boolean;
  /** Fallback when no wake-up arrives: the longest a consumer sleeps before looking again. */
  readonly pollIntervalMs?: number;
  /** Messages read per partition batch; a batch is extended to the end of the append it cuts. */
  readonly batchSize?: number;
  /** Partitions handed to onBatch at the same time (the Kafka adapter hands over up to 32). */
  readonly partitionsConsumedConcurrently?: number;
  /** The same record limit as the Kafka adapter's, so both transports accept the same commands. */
  readonly maxRecordBytes?: number;
}

type OnBatch = (batch: LogBatch, context: BatchHandlerContext) => Promise<void>;

const NOTIFY_CHANNEL = 'registry_event_log';
const MAX_BACKOFF_MS = 5000;

/**
 * The EventLog port on Postgres tables, for embedded mode (PGlite) and single-node mode (one real
 * Postgres, no Kafka). It keeps the Kafka adapter's contract: one append is one command's events
 * under one key, on contiguous offsets of the key's partition (Kafka's partitioner); consumers get
 * per-partition batches in offset order and the offset after each batch is committed for the
 * group once the handler resolves. No transaction is ever open while the handler runs: on PGlite
 * the handler's own transaction would wait for it forever.
 */
export class EmbeddedEventLog implements EventLog {
  private readonly logger = new Logger('EmbeddedEventLog');
  private readonly store: LogStore;
  private readonly consumers = new Set<PollingConsumer>();
  private listenClient?: Promise<PoolClient>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: EmbeddedEventLogOptions,
  ) {
    this.store = new LogStore(dataSource, options.notifications, (topic, stored, wanted) =>
      this.logger.warn({ msg: 'topic keeps the partition count it was created with', topic, partitions: stored, configured: wanted }),
    );
  }

  assertAppendable(key: string, events: readonly RecordedEvent[]): void {
    requireWithinRecordLimit(encodeCommand(key, events), this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  }

  async append(key: string, events: readonly RecordedEvent[]): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const encoded = encodeCommand(key, events);
    requireWithinRecordLimit(encoded, this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
    const messages = encoded.map(({ value, headers }) => ({ value, headers }));
    const topic = this.options.eventsTopic;
    const partition = await this.unavailableOnError(async () =>
      keyPartition(key, await this.store.partitionsOf(topic, this.options.eventsPartitions)),
    );
    let result: AppendResult;
    try {
      result = { topic, partition, offset: await this.store.append(topic, partition, key, messages) };
    } catch (error) {
      throw appendFailure(error, events[0].metadata.commandId);
    }
    for (const consumer of this.consumers) consumer.wake();
    return result;
  }

  async consume(options: {
    readonly groupId: string;
    readonly seekTo: (partition: number) => Promise<bigint | undefined>;
    readonly onBatch: OnBatch;
  }): Promise<ConsumerHandle> {
    const consumer = new PollingConsumer(this.store, this.logger, {
      ...options,
      topic: this.options.eventsTopic,
      partitions: () => this.store.partitionsOf(this.options.eventsTopic, this.options.eventsPartitions),
      pollIntervalMs: this.options.pollIntervalMs ?? 250,
      batchSize: this.options.batchSize ?? 500,
      concurrency: this.options.partitionsConsumedConcurrently ?? 4,
      beforeRound: () => this.listen(),
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  /** Same headers as the Kafka adapter adds; the original key, value and headers are kept. */
  async deadLetter(letter: DeadLetter): Promise<void> {
    const topic = this.options.dlqTopic;
    await this.unavailableOnError(async () => {
      const partitions = await this.store.partitionsOf(topic, 1);
      const { key, value, headers } = letter.message;
      await this.store.append(topic, key === null ? 0 : keyPartition(key, partitions), key, [
        {
          value,
          headers: {
            ...headers,
            dlq_reason: letter.reason,
            dlq_source_topic: letter.source.topic,
            dlq_source_partition: String(letter.source.partition),
            dlq_source_offset: letter.source.offset.toString(),
          },
        },
      ]);
    });
  }

  async endOffsets(): Promise<Map<number, bigint>> {
    return this.unavailableOnError(async () => {
      const topic = this.options.eventsTopic;
      const partitions = await this.store.partitionsOf(topic, this.options.eventsPartitions);
      const ends = await this.store.partitionEnds(topic);
      return new Map(Array.from({ length: partitions }, (_, partition) => [partition, ends.get(partition) ?? 0n]));
    });
  }

  async offsetRanges(): Promise<Map<number, OffsetRange>> {
    return this.unavailableOnError(async () => {
      const topic = this.options.eventsTopic;
      const partitions = await this.store.partitionsOf(topic, this.options.eventsPartitions);
      const [ends, starts] = await Promise.all([this.store.partitionEnds(topic), this.store.partitionStarts(topic, partitions)]);
      return new Map(
        Array.from({ length: partitions }, (_, partition) => {
          const end = ends.get(partition) ?? 0n;
          return [partition, { start: starts.get(partition) ?? end, end }];
        }),
      );
    });
  }

  partitionCount(): Promise<number> {
    return this.unavailableOnError(() => this.store.partitionsOf(this.options.eventsTopic, this.options.eventsPartitions));
  }

  async ping(): Promise<void> {
    await this.unavailableOnError(() => this.dataSource.query('SELECT 1'));
  }

  /** Stops the consumers (each finishes its batch in flight); the DataSource belongs to its module. */
  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((c) => c.stop()));
    const client = await this.listenClient?.catch(() => undefined);
    this.listenClient = undefined;
    client?.release(true);
  }

  /** One LISTEN connection per process, made on demand; losing it only costs latency until the next poll. */
  private async listen(): Promise<void> {
    if (!this.options.notifications || this.listenClient) return;
    const connecting = (async () => {
      const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
      const client = await pool.connect();
      const drop = () => {
        if (this.listenClient !== connecting) return;
        this.listenClient = undefined;
        client.release(true);
      };
      client.on('error', drop);
      client.on('notification', (notification) => {
        if (notification.channel !== NOTIFY_CHANNEL || notification.payload !== this.options.eventsTopic) return;
        for (const consumer of this.consumers) consumer.wake();
      });
      try {
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      } catch (error) {
        drop();
        throw error;
      }
      return client;
    })();
    this.listenClient = connecting;
    await connecting.catch(() => {
      if (this.listenClient === connecting) this.listenClient = undefined;
    });
  }

  private async unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new LogUnavailableError(`the event log in Postgres is unavailable: ${(error as Error).message}`);
    }
  }
}

/**
 * The append is one statement: Postgres refusing it (a server-side timeout, a constraint, an
 * error reply) or no connection to send it on means nothing was written; a lost connection or a
 * client-side timeout while it ran
 * leaves the commit unknown.
 */
const appendFailure = (error: unknown, commandId: string): Error => {
  const text = error instanceof Error ? error.message : String(error);
  const answered = typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code);
  const neverConnected = /timeout exceeded when trying to connect|ECONNREFUSED/.test(text);
  if (neverConnected || (answered && !(error as { code: string }).code.startsWith('08'))) {
    return new LogUnavailableError(`the event log in Postgres refused the append: ${text}`);
  }
  return new AppendOutcomeUnknownError(`the append to the event log in Postgres may or may not have committed: ${text}`, commandId);
};

interface StoredMessage {
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** The SQL, in one place. Every statement stands alone: nothing here opens a transaction. */
class LogStore {
  private readonly topics = new Map<string, Promise<number>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: boolean,
    private readonly onPartitionMismatch: (topic: string, stored: number, wanted: number) => void,
  ) {}

  /** Creates the topic on first use, like Kafka's ensureTopics; cached, since the count never changes. */
  partitionsOf(topic: string, wanted: number): Promise<number> {
    let known = this.topics.get(topic);
    if (!known) {
      known = this.createTopic(topic, wanted);
      this.topics.set(topic, known);
      known.catch(() => this.topics.delete(topic));
    }
    return known;
  }

  private async createTopic(topic: string, wanted: number): Promise<number> {
    await this.dataSource.query(
      'INSERT INTO event_log_topics (topic, partitions) VALUES ($1, $2) ON CONFLICT (topic) DO NOTHING',
      [topic, wanted],
    );
    const [row]: { partitions: number }[] = await this.dataSource.query('SELECT partitions FROM event_log_topics WHERE topic = $1', [topic]);
    if (row.partitions !== wanted) this.onPartitionMismatch(topic, row.partitions, wanted);
    return row.partitions;
  }

  /**
   * One statement, so all-or-nothing: reserve `messages.length` offsets on the partition's head row
   * (whose lock orders concurrent appends until commit), insert the messages, NOTIFY on commit.
   */
  async append(topic: string, partition: number, key: string | null, messages: readonly StoredMessage[]): Promise<bigint> {
    const rows: { last_offset: string }[] = await this.dataSource.query(
      `WITH head AS (
         INSERT INTO event_log_partitions AS p (topic, partition, next_offset) VALUES ($1, $2, $3::bigint)
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = p.next_offset + EXCLUDED.next_offset
         RETURNING p.next_offset - $3::bigint AS first_offset
       ), appended AS (
         INSERT INTO event_log_messages (topic, partition, "offset", last_offset_of_append, key, value, headers)
         SELECT $1, $2, head.first_offset + m.ordinality - 1, head.first_offset + $3::bigint - 1, $4, m.value, m.headers
           FROM head, unnest($5::bytea[], $6::jsonb[]) WITH ORDINALITY AS m(value, headers, ordinality)
         RETURNING "offset"
       )
       SELECT max("offset")::text AS last_offset${this.notifications ? `, pg_notify('${NOTIFY_CHANNEL}', $1)` : ''} FROM appended`,
      [topic, partition, messages.length, key, messages.map((m) => m.value), messages.map((m) => JSON.stringify(m.headers))],
    );
    return BigInt(rows[0].last_offset);
  }

  async partitionEnds(topic: string): Promise<Map<number, bigint>> {
    const rows: { partition: number; next_offset: string }[] = await this.dataSource.query(
      'SELECT partition, next_offset FROM event_log_partitions WHERE topic = $1',
      [topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  /** The oldest stored offset per partition (absent: nothing stored), one index lookup each. */
  async partitionStarts(topic: string, partitions: number): Promise<Map<number, bigint>> {
    const rows: { partition: number; start: string | null }[] = await this.dataSource.query(
      `SELECT p AS partition, (SELECT min("offset") FROM event_log_messages WHERE topic = $1 AND partition = p) AS start
         FROM generate_series(0, $2::int - 1) AS p`,
      [topic, partitions],
    );
    return new Map(rows.filter((r) => r.start !== null).map((r) => [r.partition, BigInt(r.start as string)]));
  }

  /** Up to `limit` messages from `position`, extended to the end of the last append they touch. */
  async read(topic: string, partition: number, position: bigint, limit: number): Promise<LogMessage[]> {
    const rows: { offset: string; key: string | null; value: Buffer | null; headers: Record<string, string> }[] = await this.dataSource.query(
      // int8 arrives as a string; casting it to text here would make ORDER BY sort '10' before '9'.
      `SELECT "offset", key, value, headers FROM event_log_messages
        WHERE topic = $1 AND partition = $2 AND "offset" >= $3::bigint
          AND "offset" <= coalesce(
            (SELECT last_offset_of_append FROM event_log_messages
              WHERE topic = $1 AND partition = $2 AND "offset" = $3::bigint + $4 - 1),
            9223372036854775807)
        ORDER BY "offset"`,
      [topic, partition, position.toString(), limit],
    );
    return rows.map((r) => ({ key: r.key, value: r.value, headers: r.headers, offset: BigInt(r.offset) }));
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const rows: { partition: number; next_offset: string }[] = await this.dataSource.query(
      'SELECT partition, next_offset FROM event_log_group_offsets WHERE group_id = $1 AND topic = $2',
      [groupId, topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  async commit(groupId: string, topic: string, partition: number, nextOffset: bigint): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO event_log_group_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
      [groupId, topic, partition, nextOffset.toString()],
    );
  }
}

interface PollingConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly partitions: () => Promise<number>;
  readonly seekTo: (partition: number) => Promise<bigint | undefined>;
  readonly onBatch: OnBatch;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  readonly concurrency: number;
  /** LISTEN before reading: whatever is appended after it wakes us, whatever came before is read. */
  readonly beforeRound: () => Promise<void>;
}

/**
 * One loop per consumer: look at the partitions' ends, hand each partition with new messages one
 * batch, commit, repeat; sleep until woken (append in this process, NOTIFY) or the poll interval.
 * A failure (Postgres down, handler error) is retried with backoff from the same position: a
 * batch is never skipped, and the loop never throws.
 */
class PollingConsumer {
  private running = true;
  private signalled = false;
  private interrupt?: () => void;
  /** Next offset to deliver, per partition; loaded once from seekTo, else the group's commit, else 0. */
  private positions?: Map<number, bigint>;
  private readonly done: Promise<void>;

  constructor(
    private readonly store: LogStore,
    private readonly logger: Logger,
    private readonly options: PollingConsumerOptions,
  ) {
    this.done = this.run();
  }

  wake(): void {
    this.signalled = true;
    this.interrupt?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.interrupt?.();
    await this.done;
  }

  private async run(): Promise<void> {
    for (let failures = 0; this.running; ) {
      try {
        await this.options.beforeRound();
        this.signalled = false;
        const delivered = await this.deliverRound();
        failures = 0;
        if (!delivered) await this.sleep(this.options.pollIntervalMs, true);
      } catch (error) {
        if (!this.running) break;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures++);
        this.logger.warn({ msg: 'event log consumer failed, retrying', groupId: this.options.groupId, retryInMs: delay, error: (error as Error).message });
        await this.sleep(delay, false);
      }
    }
  }

  /** True when at least one partition had messages. */
  private async deliverRound(): Promise<boolean> {
    const positions = (this.positions ??= await this.initialPositions());
    const ends = await this.store.partitionEnds(this.options.topic);
    const pending = [...positions].filter(([partition, position]) => (ends.get(partition) ?? 0n) > position).map(([p]) => p);
    if (pending.length === 0) return false;
    // Every worker settles before the round ends, so a partition never has two batches in flight.
    const failures: unknown[] = [];
    const worker = async () => {
      for (let partition = pending.shift(); partition !== undefined && this.running; partition = pending.shift()) {
        await this.deliverBatch(positions, partition).catch((error: unknown) => failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, pending.length) }, worker));
    if (failures.length > 0) throw failures[0];
    return true;
  }

  private async initialPositions(): Promise<Map<number, bigint>> {
    const partitions = await this.options.partitions();
    const committed = await this.store.committedOffsets(this.options.groupId, this.options.topic);
    const positions = new Map<number, bigint>();
    for (let partition = 0; partition < partitions; partition++) {
      const position = (await this.options.seekTo(partition)) ?? committed.get(partition) ?? 0n;
      positions.set(partition, position < 0n ? 0n : position);
    }
    return positions;
  }

  private async deliverBatch(positions: Map<number, bigint>, partition: number): Promise<void> {
    const messages = await this.store.read(this.options.topic, partition, positions.get(partition) ?? 0n, this.options.batchSize);
    if (messages.length === 0) return;
    await this.options.onBatch(
      { topic: this.options.topic, partition, messages },
      { heartbeat: async () => undefined, isRunning: () => this.running },
    );
    const next = messages[messages.length - 1].offset + 1n;
    positions.set(partition, next);
    await this.store.commit(this.options.groupId, this.options.topic, partition, next);
  }

  /** Ends early on stop(), and on a wake-up when `wakeable` (one that came meanwhile counts too). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    const over = () => !this.running || (wakeable && this.signalled);
    if (over()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.interrupt = () => over() && finish();
    });
  }
}
