import type { RecordedEvent } from '@lib/domain';

/** A message as the log stores it: CloudEvents binary mode, headers as strings. */
export interface LogMessage {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly offset: bigint;
}

export interface LogBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly LogMessage[];
}

export interface AppendResult {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the last event appended. */
  readonly offset: bigint;
}

export interface OffsetRange {
  /** The oldest offset still in the log (retention may have removed those before it). */
  readonly start: bigint;
  /** The next offset to be written. */
  readonly end: bigint;
}

export interface BatchHandlerContext {
  /** Keeps group membership alive during long retries. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or lost the partition. */
  isRunning(): boolean;
}

export interface ConsumerHandle {
  stop(): Promise<void>;
}

export interface DeadLetter {
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: bigint };
  readonly message: LogMessage;
  readonly reason: string;
}

/** A record for a topic other than the events topic. */
export interface PublishedRecord {
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The port every transport implements: the Kafka adapter and the embedded one. */
export interface EventLog {
  /** Appends the events of one command under one key, atomically; resolves on durable ack. */
  append(key: string, events: readonly RecordedEvent[]): Promise<AppendResult>;
  /**
   * Throws RecordTooLargeError when `append` would refuse these events for their size: a command
   * of several parts checks every part before appending any.
   */
  assertAppendable(key: string, events: readonly RecordedEvent[]): void;
  /**
   * Delivers batches per partition, in offset order. After the handler resolves, the transport
   * records `lastOffset + 1` as committed; the handler is the source of truth for positions and
   * `seekTo` tells the transport where to start when it is assigned a partition.
   */
  consume(options: {
    readonly groupId: string;
    readonly seekTo: (partition: number) => Promise<bigint | undefined>;
    readonly onBatch: (batch: LogBatch, context: BatchHandlerContext) => Promise<void>;
  }): Promise<ConsumerHandle>;
  deadLetter(letter: DeadLetter): Promise<void>;
  /**
   * Publishes records to another topic of the transport (the slice change topic, its dead
   * letters). Absent where there is no such topic: the embedded log keeps only the events.
   */
  readonly publish?: (topic: string, records: readonly PublishedRecord[]) => Promise<void>;
  /** Next offset to be written, per partition of the events topic (for lag). */
  endOffsets(): Promise<Map<number, bigint>>;
  /** Per partition of the events topic: the first offset still stored and the next to be written. */
  offsetRanges(): Promise<Map<number, OffsetRange>>;
  /** The events topic's partition count as the transport reports it now. */
  partitionCount(): Promise<number>;
  /** Throws when the transport is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_LOG = Symbol('EventLog');

export class LogUnavailableError extends Error {
  override readonly name = 'LogUnavailableError';
}

/**
 * The append was sent and then timed out or failed in a way that does not say whether the broker
 * wrote it: the caller answers UNAVAILABLE with outcome UNKNOWN and the command's id, which
 * `commandOutcome` settles later.
 */
export class AppendOutcomeUnknownError extends Error {
  override readonly name = 'AppendOutcomeUnknownError';

  constructor(
    message: string,
    public commandId?: string,
  ) {
    super(message);
  }
}

/** A command whose events would exceed the broker's record limit: refused before anything is sent. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';

  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `the events of this command encode to ${bytes.toLocaleString('en-US')} bytes; the broker's record limit is ` +
        `${limitBytes.toLocaleString('en-US')} bytes (KAFKA_MAX_RECORD_BYTES)`,
    );
  }
}
