import type { EncodedEvent } from '../cloudevents';
import { AppendOutcomeUnknownError, LogUnavailableError } from '../event-log';
import { keyPartition } from '../key-partition';
import { estimatedBatchBytes } from './request-size';

export interface PartitionOffset {
  readonly partition: number;
  /** Offset of the append's last record. */
  readonly offset: bigint;
}

/** Sends records to explicit partitions and returns each partition's base offset. */
export type SendRecords = (records: readonly (EncodedEvent & { partition: number })[]) => Promise<Map<number, bigint>>;

/** True when the broker answered that it refused the send: nothing of it was written. */
export type IsRefusal = (error: unknown) => boolean;

export interface AppendBatcherOptions {
  /** Connects and returns the topic's partition count; nothing has been sent while this runs. */
  readonly prepare: () => Promise<number>;
  readonly send: SendRecords;
  readonly isRefusal: IsRefusal;
  /** The broker's limit on one partition's record batch in a request. */
  readonly maxRecordBytes: number;
  /** An append not settled after this long is withdrawn (still queued) or reported unknown (sent). */
  readonly timeoutMs: number;
}

interface Pending {
  readonly records: readonly EncodedEvent[];
  readonly bytes: number;
  state: 'queued' | 'sent' | 'settled';
  readonly resolve: (offset: PartitionOffset) => void;
  readonly reject: (error: unknown) => void;
}

interface Placed {
  readonly pending: Pending;
  readonly partition: number;
}

const MAX_APPENDS_PER_SEND = 500;

/**
 * Group commit for the producer: one send is in flight at a time (the idempotent producer keeps
 * one in-flight request anyway), and every append that arrives meanwhile rides on the next send.
 * Under load one Kafka request carries hundreds of commands instead of one. Records get explicit
 * partitions (Kafka's default partitioner), so each append's offsets follow from the base offsets:
 * a send's records for one partition are written contiguously and in order.
 *
 * What a caller hears is what happened: an append that times out while queued is withdrawn and
 * never sent (LogUnavailableError); one that times out or fails ambiguously after its send left
 * is AppendOutcomeUnknownError. A failed shared send is sent again partition by partition, so a
 * partition the broker refused fails alone (see `sendIsolated`).
 */
export class AppendBatcher {
  private queue: Pending[] = [];
  private sending = false;

  constructor(private readonly options: AppendBatcherOptions) {}

  /** `bytes`: the append's record batch size, already checked against the limit by the caller. */
  append(records: readonly EncodedEvent[], bytes = estimatedBatchBytes(records)): Promise<PartitionOffset> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.expire(pending), this.options.timeoutMs);
      const settle = <A>(outcome: (arg: A) => void) => (arg: A) => {
        if (pending.state === 'settled') return;
        pending.state = 'settled';
        clearTimeout(timer);
        outcome(arg);
      };
      const pending: Pending = { records, bytes, state: 'queued', resolve: settle(resolve), reject: settle(reject) };
      this.queue.push(pending);
      if (!this.sending) {
        this.sending = true;
        // Let the appends of the same tick join the first send too.
        setImmediate(() => void this.drain());
      }
    });
  }

  private expire(pending: Pending): void {
    const after = `Kafka did not acknowledge the append within ${this.options.timeoutMs} ms`;
    if (pending.state === 'queued') {
      this.queue = this.queue.filter((p) => p !== pending);
      pending.reject(new LogUnavailableError(`${after}; it was withdrawn before it was sent`));
    } else {
      pending.reject(new AppendOutcomeUnknownError(`${after} after it was sent; it may or may not be in the log`));
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let partitions: number;
      try {
        partitions = await this.options.prepare();
      } catch (error) {
        for (const pending of this.queue.splice(0)) pending.reject(unavailable(error));
        continue;
      }
      const batch = this.nextSend(partitions);
      // Appends that timed out while the producer connected are withdrawn: never sent.
      const live = batch.filter((p) => p.pending.state === 'queued');
      for (const { pending } of live) pending.state = 'sent';
      if (live.length > 0) await this.sendIsolated(live);
    }
    this.sending = false;
  }

  /** Takes queued appends in order while no partition's record batch would pass the broker's limit. */
  private nextSend(partitions: number): Placed[] {
    const bytes = new Map<number, number>();
    const placed: Placed[] = [];
    for (const pending of this.queue) {
      if (placed.length === MAX_APPENDS_PER_SEND) break;
      const partition = keyPartition(pending.records[0].key, partitions);
      const after = (bytes.get(partition) ?? 0) + pending.bytes;
      if (placed.length > 0 && after > this.options.maxRecordBytes) break;
      bytes.set(partition, after);
      placed.push({ pending, partition });
    }
    this.queue.splice(0, placed.length);
    return placed;
  }

  /**
   * Sends the appends; when a shared send fails, each partition's appends are sent again on their
   * own, unchanged and in order. kafkajs takes a failed request's sequence numbers back, so a resend
   * of the same records carries the same sequence numbers: a partition the broker had written
   * after all is deduplicated by the idempotent producer (same offsets, no second copy), one it
   * refused fails alone. Inside one partition, appends are split further only after the broker
   * refused the batch, when nothing of it was written.
   */
  private async sendIsolated(placed: readonly Placed[]): Promise<void> {
    try {
      const bases = await this.options.send(placed.flatMap(({ pending, partition }) => pending.records.map((r) => ({ partition, ...r }))));
      resolveAll(placed, bases);
      return;
    } catch (error) {
      const byPartition = groupByPartition(placed);
      const splittable = byPartition.length > 1 || (placed.length > 1 && this.options.isRefusal(error));
      if (!splittable) {
        // One error per append: the caller adds its own command id to it.
        const outcome = () =>
          this.options.isRefusal(error)
            ? new LogUnavailableError(`Kafka refused the append: ${message(error)}`)
            : new AppendOutcomeUnknownError(`the send to Kafka failed after it left: ${message(error)}; the append may or may not be in the log`);
        for (const { pending } of placed) pending.reject(outcome());
        return;
      }
      for (const group of byPartition.length > 1 ? byPartition : placed.map((p) => [p])) await this.sendIsolated(group);
    }
  }
}

const resolveAll = (placed: readonly Placed[], bases: Map<number, bigint>): void => {
  const counts = new Map<number, number>();
  for (const { pending, partition } of placed) {
    const last = (counts.get(partition) ?? 0) + pending.records.length;
    counts.set(partition, last);
    const base = bases.get(partition);
    if (base === undefined) pending.reject(new AppendOutcomeUnknownError(`Kafka returned no offset for partition ${partition}`));
    else pending.resolve({ partition, offset: base + BigInt(last - 1) });
  }
};

const groupByPartition = (placed: readonly Placed[]): Placed[][] => {
  const groups = new Map<number, Placed[]>();
  for (const p of placed) groups.set(p.partition, [...(groups.get(p.partition) ?? []), p]);
  return [...groups.values()];
};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const unavailable = (error: unknown): LogUnavailableError =>
  error instanceof LogUnavailableError ? error : new LogUnavailableError(`Kafka is unavailable: ${message(error)}`);
