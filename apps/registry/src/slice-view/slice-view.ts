import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { EndpointSlice } from '@lib/domain';
import { EndpointSliceRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { ChangeFeed, type FeedChange } from '../watch/change-feed';
import { SliceIndex } from './slice-index';

/** Told the namespace/service key whose slices changed and the resourceVersion of the change. */
export type ServiceChangeListener = (serviceKey: string, resourceVersion: bigint) => void;

/**
 * A read-only, in-memory view of every service's current slices for the protocols that answer
 * from memory (DNS, xDS), fed by the same change feed as the GraphQL subscriptions. Lazy: nothing
 * is loaded or held until a server calls start(), so an API without them pays nothing.
 *
 * list-then-watch: it registers with the feed first and holds what arrives, loads every slice and
 * the resourceVersion they reflect in one statement, then applies the held changes above that
 * resourceVersion and goes live; the index drops anything already reflected, so nothing is lost
 * or applied twice.
 */
@Injectable()
export class SliceView implements OnApplicationShutdown {
  private readonly index = new SliceIndex();
  private readonly listeners = new Set<ServiceChangeListener>();
  private readonly serviceListeners = new Map<string, Set<ServiceChangeListener>>();
  private starting?: Promise<void>;
  private unsubscribeFeed?: () => void;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ChangeFeed) private readonly feed: ChangeFeed,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
  ) {}

  /** Loads the view once; every caller awaits the same load. */
  start(): Promise<void> {
    this.starting ??= this.load().catch((error: unknown) => {
      this.stop();
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /** The resourceVersion every answer reflects: the snapshot's, or the last change applied since. */
  get resourceVersion(): bigint {
    return this.index.resourceVersion;
  }

  /** The service's slices in name order; empty when it has none (unknown, deleted or not started). */
  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    return this.index.slicesOf(namespace, service);
  }

  /** namespace/service keys of every service with slices. */
  serviceKeys(): IterableIterator<string> {
    return this.index.serviceKeys();
  }

  /** Called after every applied change of any service. */
  onChange(listener: ServiceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every applied change of one service (`namespace/service`). */
  onServiceChange(serviceKey: string, listener: ServiceChangeListener): () => void {
    let forService = this.serviceListeners.get(serviceKey);
    if (!forService) {
      forService = new Set();
      this.serviceListeners.set(serviceKey, forService);
    }
    forService.add(listener);
    return () => {
      forService.delete(listener);
      if (forService.size === 0 && this.serviceListeners.get(serviceKey) === forService) this.serviceListeners.delete(serviceKey);
    };
  }

  private async load(): Promise<void> {
    // The feed's position is only set once it has bootstrapped; a snapshot taken before that
    // could be older than the position it starts reading after.
    await this.feed.started;
    const held: FeedChange[] = [];
    let live = false;
    this.unsubscribeFeed = this.feed.subscribe((change) => (live ? this.applyAndNotify(change) : held.push(change)));
    const snapshot = await this.slices.snapshot(this.dataSource.manager, {});
    this.index.load(
      snapshot.slices.map((stored) => stored.slice),
      BigInt(snapshot.resourceVersion),
    );
    for (const change of held.splice(0)) this.applyAndNotify(change);
    live = true;
  }

  private applyAndNotify(change: FeedChange): void {
    const key = this.index.apply(change);
    if (key === undefined) return;
    for (const listener of this.listeners) listener(key, change.resourceVersion);
    const forService = this.serviceListeners.get(key);
    if (forService) for (const listener of forService) listener(key, change.resourceVersion);
  }

  private stop(): void {
    this.unsubscribeFeed?.();
    this.unsubscribeFeed = undefined;
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
