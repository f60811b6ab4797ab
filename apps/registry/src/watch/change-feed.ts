import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EndpointSlice as DomainSlice } from '@lib/domain';
import { hopTrace } from '@lib/messaging';
import { SliceChangeRepository, type CommitNotice, type SliceChange, type SliceChangeType } from '@lib/persistence';
import { CoalescingLoop } from '@lib/projection';
import { DataSource } from 'typeorm';
import { ProjectionSignal } from '../commands/projection-signal';
import { toEndpointSliceObject } from '../endpoint-slices/endpoint-slice.mapper';
import type { WatchEvent } from '../endpoint-slices/endpoint-slice.types';

/** One committed slice change, mapped once for every subscriber. */
export interface FeedChange {
  readonly type: SliceChangeType;
  readonly resourceVersion: bigint;
  readonly slice: DomainSlice;
  /** The one WatchEvent object every subscriber receives for this change (see shared-subscribe). */
  readonly event: WatchEvent;
}

export type FeedListener = (change: FeedChange) => void;

const READ_BATCH = 1000;
const FALLBACK_POLL_MS = 1000;
/** Notices kept while a read runs; beyond this they are dropped and the next read covers them. */
const MAX_NOTICES = 1000;

/**
 * How this API replica learns of committed changes: woken by the ProjectionSignal or by a fallback
 * poll, it takes them from the commits' notices while each notice starts where the feed stands
 * (no Postgres round trip), and otherwise reads the change log after the last resourceVersion it
 * has seen. resourceVersions commit in order, and notifications arrive in commit order, so neither
 * way skips a change, whichever projector instance wrote it.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChangeFeed');
  private readonly listeners = new Set<FeedListener>();
  private readonly loop = new CoalescingLoop(() => this.readNew(), FALLBACK_POLL_MS, (error) =>
    this.logger.warn({ msg: 'change feed read failed, will retry', error: error.message }),
  );
  private unsubscribeSignal?: () => void;
  private notices: CommitNotice[] = [];
  /** Every change up to here has been dispatched to the listeners. */
  position = 0n;
  private markStarted!: () => void;
  /** Resolves once the position is set: a list-then-watch seam taken before then could open a gap. */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ProjectionSignal) private readonly signal: ProjectionSignal,
    @Inject(SliceChangeRepository) private readonly changes: SliceChangeRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.position = BigInt(await this.changes.latest(this.dataSource.manager));
    this.unsubscribeSignal = this.signal.onCommit((notice) => {
      if (notice) this.notices.push(notice);
      if (this.notices.length > MAX_NOTICES) this.notices = [];
      this.loop.kick();
    });
    this.loop.start();
    this.markStarted();
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async readNew(): Promise<void> {
    const notices = this.notices;
    this.notices = [];
    if (this.listeners.size === 0) {
      // Nobody to deliver to: move the position without reading or mapping the changes.
      const noticed = notices.at(-1)?.latest;
      if (noticed !== undefined) {
        if (noticed > this.position) this.position = noticed;
        return;
      }
      const latest = BigInt(await this.changes.latest(this.dataSource.manager));
      // A subscriber that registered during that read took the old position as its seam; moving
      // past it would skip changes for that subscriber, so read them as usual instead.
      if (this.listeners.size === 0) {
        this.position = latest;
        return;
      }
    }
    if (this.dispatchNotices(notices)) return;
    for (;;) {
      const batch = await this.changes.readRange(this.dataSource.manager, { afterRv: this.position, limit: READ_BATCH });
      for (const change of batch) this.dispatch(change);
      if (batch.length < READ_BATCH) return;
    }
  }

  /** True when the notices carried every change after the position, so there is nothing to read. */
  private dispatchNotices(notices: readonly CommitNotice[]): boolean {
    if (notices.length === 0) return false;
    for (const notice of notices) {
      if (notice.latest <= this.position) continue;
      if (notice.from !== this.position || notice.changes === undefined) return false;
      for (const change of notice.changes) this.dispatch(change);
      this.position = notice.latest;
    }
    return true;
  }

  private dispatch(change: SliceChange): void {
    hopTrace.markEvents('api.feed-read', change.eventIds);
    const feedChange: FeedChange = {
      type: change.type,
      resourceVersion: BigInt(change.resourceVersion),
      slice: change.slice,
      event: {
        type: change.type,
        object: toEndpointSliceObject({ slice: change.slice, resourceVersion: change.resourceVersion }),
        resourceVersion: change.resourceVersion,
      },
    };
    this.position = feedChange.resourceVersion;
    for (const listener of this.listeners) listener(feedChange);
    hopTrace.markEvents('api.feed-dispatched', change.eventIds);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribeSignal?.();
    await this.loop.stop();
  }
}
