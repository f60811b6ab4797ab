import type { EventLog, LogBatch } from '@lib/messaging';
import type { ProjectionRepositories } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import { BatchApplier } from './apply-batch';
import { GroupCommit } from './group-commit';
import { GROUP_COMMIT } from './projector';

export interface ReplayOptions {
  /** The group whose positions the replayed projection records (what projectors resume from). */
  readonly projectionGroupId: string;
  /** A throwaway transport consumer group, so live projectors are not disturbed. */
  readonly consumerGroupId: string;
  readonly maxEndpointsPerSlice: number;
  readonly cacheEndpoints: number;
  /** Replay every offset below these; defaults to the log's end when the replay starts. */
  readonly until?: ReadonlyMap<number, bigint>;
}

export interface ReplayResult {
  readonly events: number;
  readonly seconds: number;
  readonly until: ReadonlyMap<number, bigint>;
}

/**
 * Rebuilds a projection in `dataSource` by applying the log from offset 0 with the same
 * BatchApplier the projector uses. Dead letters are not sent again: the live projector already
 * sent them when it first met those messages.
 */
export const replayProjection = async (
  eventLog: EventLog,
  dataSource: DataSource,
  repositories: ProjectionRepositories,
  options: ReplayOptions,
): Promise<ReplayResult> => {
  const until = options.until ?? (await eventLog.endOffsets());
  const applier = new BatchApplier(
    dataSource,
    repositories,
    { groupId: options.projectionGroupId, maxEndpointsPerSlice: options.maxEndpointsPerSlice, cacheEndpoints: options.cacheEndpoints },
    async () => undefined,
  );
  const reached = new Map<number, bigint>([...until.keys()].map((p) => [p, 0n]));
  const done = () => [...until].every(([partition, end]) => (reached.get(partition) ?? 0n) >= end);
  const started = process.hrtime.bigint();
  let events = 0;
  const groups = new GroupCommit<LogBatch>(
    async (batches) => {
      const applied = await applier.apply(batches);
      events += applied.appliedEvents + applied.deadLettered;
    },
    GROUP_COMMIT,
  );
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  if (done()) finish();

  const handle = await eventLog.consume({
    groupId: options.consumerGroupId,
    seekTo: async () => 0n,
    onBatch: async (batch: LogBatch) => {
      const end = until.get(batch.partition) ?? 0n;
      const messages = batch.messages.filter((m) => m.offset < end);
      if (messages.length > 0) {
        try {
          await groups.submit({ ...batch, messages });
        } catch (error) {
          fail(error as Error);
          throw error;
        }
        reached.set(batch.partition, messages[messages.length - 1].offset + 1n);
      }
      if (done()) finish();
    },
  });
  try {
    await finished;
  } finally {
    await handle.stop();
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, until };
};
