import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { DomainError, matchesLabelSelector, SERVICE_NAME_LABEL, type EndpointSlice, type LabelSelector } from '@lib/domain';
import { EndpointSliceRepository, SliceChangeRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal';
import { toEndpointSliceObject } from '../endpoint-slices/endpoint-slice.mapper';
import { ApiError } from '../graphql/format-error';
import { ApiMetrics } from '../metrics/api-metrics';
import { ChangeFeed, type FeedChange } from './change-feed';
import { WatchStream } from './watch-stream';

export interface WatchRequest {
  /** Authorized namespaces (undefined: all); one namespace narrows the database reads too. */
  readonly namespaces?: readonly string[];
  readonly serviceName?: string;
  readonly selector?: LabelSelector;
  readonly resourceVersion?: bigint;
  readonly allowBookmarks: boolean;
}

const CATCH_UP_BATCH = 1000;

const singleNamespace = (request: WatchRequest): string | undefined =>
  request.namespaces?.length === 1 ? request.namespaces[0] : undefined;

export const parseResourceVersion = (raw: string, field = 'resourceVersion'): bigint => {
  if (!/^\d{1,19}$/.test(raw)) throw new DomainError('BAD_USER_INPUT', field, 'must be a decimal resourceVersion returned by a list or an event');
  return BigInt(raw);
};

/**
 * list-then-watch: registers with the change feed first, then either sends the current slices as
 * ADDED (no resourceVersion) or replays the change log after the given one, and only then lets
 * the live changes through, above a floor that makes the seam exact: no gap, no duplicate.
 */
@Injectable()
export class WatchService {
  /** Open streams per token (or per name for the admin token and anonymous). */
  private readonly open = new Map<string, Set<WatchStream>>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(SliceChangeRepository) private readonly changes: SliceChangeRepository,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  private track(principal: Principal, stream: WatchStream): void {
    const key = principal.tokenId ?? `name:${principal.name}`;
    const streams = this.open.get(key) ?? new Set<WatchStream>();
    if (streams.size >= this.config.access.maxSubscriptionsPerToken) {
      throw new ApiError('RATE_LIMITED', `at most ${this.config.access.maxSubscriptionsPerToken} subscriptions per token (MAX_SUBSCRIPTIONS_PER_TOKEN)`);
    }
    streams.add(stream);
    this.open.set(key, streams);
    this.metrics.watchSubscribers.inc();
    stream.onClose(() => {
      this.metrics.watchSubscribers.dec();
      streams.delete(stream);
      if (streams.size === 0) this.open.delete(key);
    });
  }

  async watch(principal: Principal, request: WatchRequest): Promise<WatchStream> {
    const matches = (slice: EndpointSlice) =>
      (request.namespaces === undefined || request.namespaces.includes(slice.namespace)) &&
      (request.serviceName === undefined || slice.labels[SERVICE_NAME_LABEL] === request.serviceName) &&
      (request.selector === undefined || matchesLabelSelector(request.selector, slice.labels));

    const stream = new WatchStream(this.config.watchBufferEvents, () => this.metrics.watchEventsSent.inc());
    this.track(principal, stream);
    const held: FeedChange[] = [];
    let live = false;
    let floor = 0n;
    let delivered = 0n;
    const deliver = (change: FeedChange) => {
      if (change.resourceVersion <= floor || !matches(change.slice)) return;
      delivered = change.resourceVersion;
      stream.push(change.event);
    };
    stream.onClose(
      this.feed.subscribe((change) => {
        if (live) deliver(change);
        else if (held.length < this.config.watchBufferEvents) held.push(change);
        else stream.fail(new ApiError('SUBSCRIBER_TOO_SLOW', 'too many changes while catching up; watch again from the last resourceVersion received'));
      }),
    );
    const seen = this.feed.position;
    try {
      floor = request.resourceVersion === undefined ? await this.sendCurrent(request, stream, matches) : await this.replay(request, request.resourceVersion, seen, stream, matches);
    } catch (error) {
      await stream.return();
      throw error;
    }
    delivered = floor;
    for (const change of held.splice(0)) deliver(change);
    live = true;

    if (request.allowBookmarks) {
      const timer = setInterval(() => {
        const at = this.feed.position > delivered ? this.feed.position : delivered;
        stream.push({ type: 'BOOKMARK', resourceVersion: at.toString() });
      }, this.config.watchBookmarkIntervalMs);
      stream.onClose(() => clearInterval(timer));
    }
    return stream;
  }

  /** ADDED for every current matching slice; the floor is the snapshot's resourceVersion. */
  private async sendCurrent(request: WatchRequest, stream: WatchStream, matches: (s: EndpointSlice) => boolean): Promise<bigint> {
    const snapshot = await this.slices.snapshot(this.dataSource.manager, { namespace: singleNamespace(request), serviceName: request.serviceName });
    for (const stored of snapshot.slices) {
      if (matches(stored.slice)) stream.push({ type: 'ADDED', object: toEndpointSliceObject(stored), resourceVersion: stored.resourceVersion });
    }
    return BigInt(snapshot.resourceVersion);
  }

  /** Every matching change after `from` up to what the feed had dispatched when we registered. */
  private async replay(
    request: WatchRequest,
    from: bigint,
    through: bigint,
    stream: WatchStream,
    matches: (s: EndpointSlice) => boolean,
  ): Promise<bigint> {
    await this.assertRetained(from);
    let after = from;
    while (after < through) {
      const batch = await this.changes.readRange(this.dataSource.manager, {
        afterRv: after,
        throughRv: through,
        limit: CATCH_UP_BATCH,
        namespace: singleNamespace(request),
        serviceName: request.serviceName,
      });
      for (const change of batch) {
        if (matches(change.slice)) {
          stream.push({ type: change.type, object: toEndpointSliceObject({ slice: change.slice, resourceVersion: change.resourceVersion }), resourceVersion: change.resourceVersion });
        }
      }
      if (batch.length < CATCH_UP_BATCH) break;
      after = BigInt(batch[batch.length - 1].resourceVersion);
    }
    // Compaction racing the replay would have removed rows we were about to read.
    await this.assertRetained(from);
    return through > from ? through : from;
  }

  private async assertRetained(from: bigint): Promise<void> {
    const { compactedThrough } = await this.changes.watchState(this.dataSource.manager);
    if (from < compactedThrough) {
      throw new ApiError(
        'RESOURCE_VERSION_TOO_OLD',
        `resourceVersion ${from} is older than the retained history (changes through ${compactedThrough} were compacted, WATCH_HISTORY=${this.config.watchHistorySeconds}s); list again and watch from the list's resourceVersion`,
      );
    }
  }
}
