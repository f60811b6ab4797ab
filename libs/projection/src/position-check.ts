import type { OffsetRange } from '@lib/messaging';

export interface PositionCheckInput {
  readonly topic: string;
  /** The topic's partition count now. */
  readonly partitions: number;
  /** The count the projection was built with. */
  readonly builtWith: number;
  /** The projection's next offset per partition; a partition without a row starts at 0. */
  readonly positions: ReadonlyMap<number, bigint>;
  readonly ranges: ReadonlyMap<number, OffsetRange>;
}

export const REBUILD_ADVICE =
  'The projector will not run on top of this, because it would skip or misplace events: stop the projectors and rebuild the projection from the log with `npm run projection:rebuild`.';

/**
 * Where the projection and the log disagree, one sentence each; empty when the projector may run.
 * Consuming on top of any of these would silently skip events or apply them out of order.
 */
export const positionProblems = (input: PositionCheckInput): string[] => {
  const { topic, partitions, builtWith } = input;
  const problems: string[] = [];
  if (partitions !== builtWith) {
    problems.push(
      `${topic} has ${partitions} partitions but the projection was built from ${builtWith}: keys now map to other partitions, so the stored per-partition offsets no longer describe what was applied.`,
    );
  }
  for (const [partition, next] of [...input.positions].sort(([a], [b]) => a - b)) {
    if (partition >= partitions && next > 0n) {
      problems.push(`partition ${partition} of ${topic}: the projection applied events up to offset ${next - 1n} there, but the topic has no such partition now.`);
    }
  }
  for (let partition = 0; partition < partitions; partition++) {
    const next = input.positions.get(partition) ?? 0n;
    const range = input.ranges.get(partition);
    if (!range) continue;
    if (next > range.end) {
      problems.push(
        `partition ${partition} of ${topic}: the projection's next offset is ${next} but the log ends at ${range.end}: the projection is ahead of its log (the topic was recreated, or the projection belongs to another log).`,
      );
    } else if (next < range.start) {
      problems.push(
        `partition ${partition} of ${topic}: the projection's next offset is ${next} but the log starts at ${range.start}: events ${next}..${range.start - 1n} were removed before they were projected (a gap, e.g. after restoring an older Postgres backup with a short topic retention).`,
      );
    }
  }
  return problems;
};

/** The projector refuses to run: the projection and its log disagree (see `positionProblems`). */
export class ProjectionPositionError extends Error {
  override readonly name = 'ProjectionPositionError';

  constructor(readonly problems: readonly string[]) {
    super(`${problems.join(' ')} ${REBUILD_ADVICE}`);
  }
}
