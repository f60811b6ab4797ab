import type { EndpointSlice } from '@lib/domain';
import type { SliceChangeType } from '@lib/persistence';

/** A slice as one command's reconcile wrote it. */
export interface PendingWrite {
  readonly type: SliceChangeType;
  readonly slice: EndpointSlice;
  readonly eventIds: readonly string[];
}

/**
 * One change per slice per transaction: its last object, typed by what watchers saw before the
 * transaction (a slice created and deleted within it never shows). Every command still reconciles
 * on its own and bumps the generation, as the Kubernetes controller coalesces pod changes that
 * arrive before it syncs a service; idle, a transaction carries one command and nothing merges.
 */
export const coalesceWrites = (writes: readonly PendingWrite[]): PendingWrite[] => {
  const bySlice = new Map<string, { first: PendingWrite; last: PendingWrite; eventIds: string[] }>();
  for (const write of writes) {
    const key = `${write.slice.namespace}/${write.slice.name}`;
    const seen = bySlice.get(key);
    if (seen) {
      seen.last = write;
      seen.eventIds.push(...write.eventIds);
    } else {
      bySlice.set(key, { first: write, last: write, eventIds: [...write.eventIds] });
    }
  }
  return [...bySlice.values()].flatMap(({ first, last, eventIds }) => {
    const existedBefore = first.type !== 'ADDED';
    const existsAfter = last.type !== 'DELETED';
    if (!existedBefore && !existsAfter) return [];
    return [{ type: !existedBefore ? 'ADDED' : existsAfter ? 'MODIFIED' : 'DELETED', slice: last.slice, eventIds }];
  });
};
