import type { EncodedEvent } from '../cloudevents';
import { keyPartition } from '../key-partition';

export interface PartitionOffset {
  readonly partition: number;
  /** Offset of the append's last record. */
  readonly offset: bigint;
}

/** Sends records to explicit partitions and returns each partition's base offset. */
export type SendRecords = (records: readonly (EncodedEvent & { partition: number })[]) => Promise<Map<number, bigint>>;

interface Pending {
  readonly records: readonly EncodedEvent[];
  readonly resolve: (offset: PartitionOffset) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_APPENDS_PER_SEND = 500;

/**
 * Group commit for the producer: one send is in flight at a time (the idempotent producer keeps
 * one in-flight request anyway), and every append that arrives meanwhile rides on the next send.
 * Under load one Kafka request carries hundreds of commands instead of one. Records get explicit
 * partitions (Kafka's default partitioner), so each append's offsets follow from the base offsets:
 * a send's records for one partition are written contiguously and in order.
 */
export class AppendBatcher {
  private queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly partitions: () => Promise<number>,
    private readonly send: SendRecords,
  ) {}

  append(records: readonly EncodedEvent[]): Promise<PartitionOffset> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.sending) {
        this.sending = true;
        // Let the appends of the same tick join the first send too.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_APPENDS_PER_SEND);
      try {
        const partitions = await this.partitions();
        const counts = new Map<number, number>();
        const placed = batch.map((pending) => {
          const partition = keyPartition(pending.records[0].key, partitions);
          const before = counts.get(partition) ?? 0;
          counts.set(partition, before + pending.records.length);
          return { pending, partition, last: before + pending.records.length - 1 };
        });
        const records = placed.flatMap(({ pending, partition }) => pending.records.map((r) => ({ ...r, partition })));
        const bases = await this.send(records);
        for (const { pending, partition, last } of placed) {
          const base = bases.get(partition);
          if (base === undefined) pending.reject(new Error(`no offset returned for partition ${partition}`));
          else pending.resolve({ partition, offset: base + BigInt(last) });
        }
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.sending = false;
  }
}
