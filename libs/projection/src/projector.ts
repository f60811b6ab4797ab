import { Logger } from '@nestjs/common';
import { hopTrace, type ConsumerHandle, type EventLog, type LogBatch } from '@lib/messaging';
import type { ConsumerOffsetRepository, ProjectionTopologyRepository, SliceChange } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import type { BatchApplier } from './apply-batch';
import { GroupCommit } from './group-commit';
import { positionProblems, ProjectionPositionError } from './position-check';
import type { ProjectionMetrics } from './projection-metrics';

export interface ProjectorOptions {
  readonly groupId: string;
  readonly eventsTopic: string;
}

const MAX_BACKOFF_MS = 5000;
/** About a minute of retries (backoff up to MAX_BACKOFF_MS) before a start gives up. */
const POSITION_CHECK_ATTEMPTS = 15;
const MAX_SERVICES_PER_TRANSACTION = 250;
const MAX_EVENTS_PER_TRANSACTION = 4_000;
/**
 * Up to 250 services or 4,000 events per transaction bound what one commit loads, writes and holds
 * in memory (a partition batch is never split). Two transactions in flight overlap Node's work with
 * Postgres's (see ComputeLane): a backlog's fetch carries partition batches of thousands of
 * events, each then a transaction of its own, so one is judged while Postgres writes the other.
 */
export const GROUP_COMMIT = {
  maxWeight: MAX_SERVICES_PER_TRANSACTION,
  weightOf: (batch: LogBatch) =>
    Math.max(new Set(batch.messages.map((m) => m.key)).size, Math.ceil((batch.messages.length * MAX_SERVICES_PER_TRANSACTION) / MAX_EVENTS_PER_TRANSACTION)),
  concurrency: 2,
};

/** Runs the consumer: each batch is applied with retries until it commits; nothing is skipped. */
export class Projector {
  private readonly logger = new Logger('Projector');
  private handle?: ConsumerHandle;
  /** Set when the projection and the log disagree: nothing is applied any more (readiness reports it). */
  private refusedWith?: ProjectionPositionError;
  /** The check of the current partition assignment; batches wait for it. */
  private checking?: Promise<void>;
  private readonly listeners = new Set<(changes: readonly SliceChange[]) => void>();
  private readonly groups = new GroupCommit<LogBatch>((batches) => this.applyGroup(batches), GROUP_COMMIT);

  constructor(
    private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    private readonly applier: BatchApplier,
    private readonly metrics: ProjectionMetrics,
    private readonly repositories: { readonly offsets: ConsumerOffsetRepository; readonly topology: ProjectionTopologyRepository },
    private readonly options: ProjectorOptions,
  ) {}

  /** In-process subscribers (embedded mode, tests) hear of committed changes at once. */
  onCommitted(listener: (changes: readonly SliceChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Why the projector refuses to run, or undefined while it runs. */
  get refusal(): string | undefined {
    return this.refusedWith?.message;
  }

  async start(): Promise<void> {
    if (!(await this.positionsAgree())) return;
    this.handle = await this.eventLog.consume({
      groupId: this.options.groupId,
      seekTo: async (partition) => {
        // Every assignment (a rebalance, a topic that grew) is checked again; the partitions of
        // one assignment share one check.
        this.checking ??= this.positionsAgree().then(() => undefined).finally(() => (this.checking = undefined));
        await this.checking;
        const positions = await this.repositories.offsets.positions(this.dataSource.manager, this.options.groupId, this.options.eventsTopic);
        return positions.find((p) => p.partition === partition)?.nextOffset;
      },
      onBatch: async (batch, context) => {
        if (hopTrace.enabled) for (const message of batch.messages) hopTrace.mark('projector.fetched', message.headers.ce_traceparent);
        await this.checking?.catch(() => undefined);
        for (let attempt = 0; ; attempt++) {
          if (this.refusedWith) throw this.refusedWith;
          if (!context.isRunning()) throw new Error('partition revoked or consumer stopping; batch left for redelivery');
          try {
            await this.groups.submit(batch);
            return;
          } catch (error) {
            const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
            this.metrics.applyFailures.inc();
            this.logger.warn({
              msg: 'batch not applied, retrying',
              partition: batch.partition,
              attempt,
              retryInMs: delay,
              error: (error as Error).message,
            });
            await new Promise((resolve) => setTimeout(resolve, delay));
            await context.heartbeat().catch(() => undefined);
          }
        }
      },
    });
    this.logger.log({ msg: 'projector consuming', groupId: this.options.groupId, topic: this.options.eventsTopic });
  }

  /**
   * False, after logging why and stopping the consumer, when the stored offsets or the partition
   * count disagree with the log (see position-check.ts): consuming on top would skip events.
   */
  /**
   * The check needs Kafka and Postgres; either may still be coming up (a broker electing partition
   * leaders, a database starting), so a failure to read is retried, never taken for an answer.
   */
  private async positionsAgree(): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.checkPositions();
      } catch (error) {
        if (attempt >= POSITION_CHECK_ATTEMPTS) throw error;
        const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** attempt);
        this.logger.warn({ msg: 'offsets check could not read the log or the projection, retrying', attempt, retryInMs: delay, error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async checkPositions(): Promise<boolean> {
    const { groupId, eventsTopic } = this.options;
    const partitions = await this.eventLog.partitionCount();
    const [builtWith, stored, ranges] = await Promise.all([
      this.repositories.topology.recordOnce(this.dataSource.manager, groupId, eventsTopic, partitions),
      this.repositories.offsets.positions(this.dataSource.manager, groupId, eventsTopic),
      this.eventLog.offsetRanges(),
    ]);
    const problems = positionProblems({ topic: eventsTopic, partitions, builtWith, positions: new Map(stored.map((p) => [p.partition, p.nextOffset])), ranges });
    if (problems.length === 0) return true;
    this.refusedWith = new ProjectionPositionError(problems);
    this.logger.error({ msg: 'projector refuses to run', groupId, topic: eventsTopic, problems, remedy: 'npm run projection:rebuild' });
    // Not awaited: the consumer may be inside this very callback (an assignment) when it stops.
    void this.stop().catch(() => undefined);
    return false;
  }

  private async applyGroup(batches: readonly LogBatch[]): Promise<void> {
    const started = process.hrtime.bigint();
    const applied = await this.applier.apply(batches);
    this.metrics.recordBatch(applied, Number(process.hrtime.bigint() - started) / 1e9);
    for (const traceparent of applied.traceparents) hopTrace.mark('projector.committed', traceparent);
    if (applied.changes.length > 0 || applied.traceparents.length > 0) {
      this.logger.log({
        msg: 'batch applied',
        offsets: batches.map((b) => `${b.partition}:${b.messages[0].offset}..${b.messages[b.messages.length - 1].offset}`),
        events: applied.appliedEvents,
        deadLettered: applied.deadLettered,
        sliceWrites: applied.changes.length,
        eventIds: [...new Set(applied.changes.flatMap((c) => c.eventIds))].slice(0, 20),
        resourceVersions: applied.changes.length > 0 ? `${applied.changes[0].resourceVersion}..${applied.changes[applied.changes.length - 1].resourceVersion}` : null,
        rejectedCommands: applied.rejectedCommands,
        traceparents: applied.traceparents.slice(0, 20),
      });
    }
    for (const listener of this.listeners) listener(applied.changes);
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }
}
