import { Logger } from '@nestjs/common';
import { toKubernetesObject } from '@lib/domain';
import { estimatedBatchBytes, type PublishedRecord } from '@lib/messaging';
import { jsonWithEndpointsOf, type Queryable, type SliceChange, type SliceChangeRepository } from '@lib/persistence';
import { CoalescingLoop } from './coalescing-loop';
import type { AdvisoryLockElection } from './sweeper-election';

const BATCH = 500;
/** Committed changes kept for the relay; beyond this it reads them back from the change log. */
const MEMORY_LIMIT = 500;
const INTERVAL_MS = 1000;
/** How far the relay got is stored at most this often: a restart may publish what followed twice. */
const PERSIST_EVERY_MS = 250;
/** pg advisory lock key: one active relay among all projector instances. */
export const SLICE_RELAY_LOCK = 0x5e1ce;

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
  const value = jsonWithEndpointsOf(change, toKubernetesObject(change.slice, change.resourceVersion), `{"type":"${change.type}","object":`, '}');
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
 * order, so nothing rolled back is ever published and nothing committed stays unpublished after a
 * crash (a crash can only publish a row twice). One instance relays: the holder of a session
 * advisory lock, on whose session it reads and stores how far it got; that position is kept in
 * memory and stored at most every PERSIST_EVERY_MS, so a relay costs no Postgres round trip while
 * it publishes changes this process just committed and that continue exactly where it stands;
 * anything else (another instance's commits, a restart) is read from the change log.
 */
export class SliceChangeRelay {
  private readonly logger = new Logger('SliceChangeRelay');
  /** This process's latest commits, in resourceVersion order, until relayed. */
  private committed: SliceChange[] = [];
  /** Published through here, while this process holds the role. */
  private relayedThrough = 0n;
  private storedThrough = 0n;
  private storedAt = 0;
  private readonly loop = new CoalescingLoop(() => this.drain(), INTERVAL_MS, (error) =>
    this.logger.warn({ msg: 'relay failed, will retry', error: error.message }),
  );

  constructor(
    private readonly role: AdvisoryLockElection,
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

  async stop(): Promise<void> {
    await this.loop.stop();
    // Only a holder has published beyond what is stored; a standby must not take the role to stop.
    if (this.relayedThrough !== this.storedThrough) {
      await this.role.whileHolding((session, fresh) => (fresh ? Promise.resolve() : this.store(session))).catch(() => undefined);
    }
    await this.role.resign();
  }

  private async drain(): Promise<void> {
    await this.role.whileHolding(async (session, fresh) => {
      if (fresh) this.relayedThrough = this.storedThrough = (await this.changes.watchState(session)).relayedThrough;
      for (;;) {
        const batch = await this.nextChanges(session, this.relayedThrough);
        if (batch.length === 0) break;
        const { publish, deadLetters } = toRelayRecords(batch, this.options);
        if (deadLetters.length > 0) {
          await this.options.deadLetter(deadLetters);
          this.options.onDeadLettered(deadLetters.length);
          this.logger.error({ msg: 'slice records too large for the broker sent to the dead-letter topic', reasons: deadLetters.map((d) => d.headers?.dlq_reason) });
        }
        await this.publish(publish);
        this.relayedThrough = BigInt(batch[batch.length - 1].resourceVersion);
        if (batch.length < BATCH) break;
      }
      if (Date.now() - this.storedAt >= PERSIST_EVERY_MS) await this.store(session);
    });
  }

  private async store(session: Queryable): Promise<void> {
    if (this.relayedThrough === this.storedThrough) return;
    await this.changes.markRelayed(session, this.relayedThrough.toString());
    this.storedThrough = this.relayedThrough;
    this.storedAt = Date.now();
  }
}
