import { Logger } from '@nestjs/common';
import { toKubernetesObject } from '@lib/domain';
import { estimatedBatchBytes, type PublishedRecord } from '@lib/messaging';
import { inTransaction, type Queryable, type SliceChange, type SliceChangeRepository } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import { CoalescingLoop } from './coalescing-loop';

const BATCH = 500;
/** Committed changes kept for the relay; beyond this it reads them back from the change log. */
const MEMORY_LIMIT = 500;
const INTERVAL_MS = 1000;
/** pg advisory lock key: one active relay among all projector instances. */
const RELAY_LOCK = 0x5e1ce;

export type PublishRecords = (records: readonly PublishedRecord[]) => Promise<void>;

export interface RelayOptions {
  /** The broker's record limit (KAFKA_MAX_RECORD_BYTES): a larger slice record is never accepted. */
  readonly maxRecordBytes: number;
  readonly slicesTopic: string;
  /** Publishes to the dead-letter topic. */
  readonly deadLetter: PublishRecords;
  /** Counts the slice records dead-lettered for their size. */
  readonly onDeadLettered: (count: number) => void;
}

/** The slice change topic's record(s) for one change: DELETED is followed by a tombstone for compaction. */
export const sliceChangeRecords = (change: SliceChange): { key: string; value: Buffer | null }[] => {
  const key = `${change.slice.namespace}/${change.slice.name}`;
  const value = Buffer.from(JSON.stringify({ type: change.type, object: toKubernetesObject(change.slice, change.resourceVersion) }));
  return change.type === 'DELETED' ? [{ key, value }, { key, value: null }] : [{ key, value }];
};

/**
 * The records to publish for a run of changes, and the dead letters standing in for those the
 * broker would refuse for their size: one such record would otherwise stop the relay for good.
 * A slice cannot be cut into smaller records faithfully (a consumer would see a partial slice as
 * the slice), so the dead letter names it, its size and its resourceVersion, without its value
 * (which would not fit either); the slice itself stays readable through the API.
 */
export const toRelayRecords = (
  changes: readonly SliceChange[],
  options: Pick<RelayOptions, 'maxRecordBytes' | 'slicesTopic'>,
): { publish: PublishedRecord[]; deadLetters: PublishedRecord[] } => {
  const publish: PublishedRecord[] = [];
  const deadLetters: PublishedRecord[] = [];
  for (const change of changes) {
    for (const record of sliceChangeRecords(change)) {
      const bytes = estimatedBatchBytes([record]);
      if (bytes <= options.maxRecordBytes) {
        publish.push(record);
        continue;
      }
      deadLetters.push({
        key: record.key,
        value: null,
        headers: {
          dlq_reason: `${change.type} of EndpointSlice ${record.key} encodes to ${bytes.toLocaleString('en-US')} bytes; the broker's record limit is ${options.maxRecordBytes.toLocaleString('en-US')} bytes (KAFKA_MAX_RECORD_BYTES)`,
          dlq_source_topic: options.slicesTopic,
          dlq_resource_version: change.resourceVersion,
        },
      });
    }
  }
  return { publish, deadLetters };
};

/**
 * Outbox relay: publishes committed change log rows to the slice change topic in resourceVersion
 * order and then records how far it got, so nothing rolled back is ever published and nothing
 * committed stays unpublished after a crash (a crash can only publish a row twice). Changes this
 * process just committed are published from memory when they continue exactly where the relay
 * stands; anything else (another instance's commits, a restart) is read from the change log.
 */
export class SliceChangeRelay {
  private readonly logger = new Logger('SliceChangeRelay');
  /** This process's latest commits, in resourceVersion order, until relayed. */
  private committed: SliceChange[] = [];
  private readonly loop = new CoalescingLoop(() => this.drain(), INTERVAL_MS, (error) =>
    this.logger.warn({ msg: 'relay failed, will retry', error: error.message }),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: SliceChangeRepository,
    private readonly publish: PublishRecords,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    this.loop.start();
  }

  /** Called when the projector commits; coalesces with a relay already in flight. */
  kick(changes: readonly SliceChange[]): void {
    // Two transactions in flight may report their commits out of resourceVersion order.
    this.committed =
      this.committed.length + changes.length > MEMORY_LIMIT
        ? []
        : [...this.committed, ...changes].sort((a, b) => (BigInt(a.resourceVersion) < BigInt(b.resourceVersion) ? -1 : 1));
    this.loop.kick();
  }

  /** Committed changes right after `relayedThrough`, in order, from memory when it holds them. */
  private async nextChanges(tx: Queryable, relayedThrough: bigint): Promise<SliceChange[]> {
    this.committed = this.committed.filter((c) => BigInt(c.resourceVersion) > relayedThrough);
    const run: SliceChange[] = [];
    for (const change of this.committed) {
      if (run.length === BATCH || BigInt(change.resourceVersion) !== relayedThrough + BigInt(run.length) + 1n) break;
      run.push(change);
    }
    return run.length > 0 ? run : this.changes.readRange(tx, { afterRv: relayedThrough, limit: BATCH });
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const relayed = await inTransaction(this.dataSource, async (tx) => {
        const [{ locked }]: { locked: boolean }[] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK]);
        if (!locked) return 0;
        const { relayedThrough } = await this.changes.watchState(tx);
        const batch = await this.nextChanges(tx, relayedThrough);
        if (batch.length === 0) return 0;
        const { publish, deadLetters } = toRelayRecords(batch, this.options);
        if (deadLetters.length > 0) {
          await this.options.deadLetter(deadLetters);
          this.options.onDeadLettered(deadLetters.length);
          this.logger.error({ msg: 'slice records too large for the broker sent to the dead-letter topic', reasons: deadLetters.map((d) => d.headers?.dlq_reason) });
        }
        await this.publish(publish);
        await this.changes.markRelayed(tx, batch[batch.length - 1].resourceVersion);
        return batch.length;
      });
      if (relayed < BATCH) return;
    }
  }
}
