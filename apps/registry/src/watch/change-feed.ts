import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import type { EndpointSlice as DomainSlice } from '@lib/domain';
import { SLICE_CHANGES_CHANNEL, SliceChangeRepository, type SliceChangeType } from '@lib/persistence';
import { CoalescingLoop, Projector } from '@lib/projection';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { toEndpointSliceObject } from '../endpoint-slices/endpoint-slice.mapper';
import type { EndpointSlice } from '../endpoint-slices/endpoint-slice.types';

/** One committed slice change, mapped once for every subscriber. */
export interface FeedChange {
  readonly type: SliceChangeType;
  readonly resourceVersion: bigint;
  readonly slice: DomainSlice;
  readonly object: EndpointSlice;
}

export type FeedListener = (change: FeedChange) => void;

const READ_BATCH = 1000;
const FALLBACK_POLL_MS = 1000;

/**
 * How this API replica learns of committed changes: it reads the change log after the last
 * resourceVersion it has seen, woken by the in-process projector, by Postgres NOTIFY from any
 * projector, or by a fallback poll. resourceVersions commit in order, so reading "after N" never
 * skips a change, whichever projector instance wrote it.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChangeFeed');
  private readonly changes = new SliceChangeRepository();
  private readonly listeners = new Set<FeedListener>();
  private readonly loop = new CoalescingLoop(() => this.readNew(), FALLBACK_POLL_MS, (error) =>
    this.logger.warn({ msg: 'change feed read failed, will retry', error: error.message }),
  );
  private listenClient?: Client;
  private unsubscribeProjector?: () => void;
  /** Every change up to here has been dispatched to the listeners. */
  position = 0n;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Optional() @Inject(Projector) private readonly projector?: Projector,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.position = BigInt(await this.changes.latest(this.dataSource.manager));
    this.unsubscribeProjector = this.projector?.onCommitted(() => this.loop.kick());
    if (this.config.databaseUrl) await this.listen(this.config.databaseUrl);
    this.loop.start();
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private async listen(url: string): Promise<void> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('notification', () => this.loop.kick());
    // A lost LISTEN connection only costs latency (the poll still runs); reconnect in the background.
    client.on('error', () => {
      this.listenClient = undefined;
      setTimeout(() => void this.listen(url).catch(() => undefined), FALLBACK_POLL_MS).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${SLICE_CHANGES_CHANNEL}`);
    this.listenClient = client;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const batch = await this.changes.readRange(this.dataSource.manager, { afterRv: this.position, limit: READ_BATCH });
      for (const change of batch) {
        const event: FeedChange = {
          type: change.type,
          resourceVersion: BigInt(change.resourceVersion),
          slice: change.slice,
          object: toEndpointSliceObject({ slice: change.slice, resourceVersion: change.resourceVersion }),
        };
        this.position = event.resourceVersion;
        for (const listener of this.listeners) listener(event);
      }
      if (batch.length < READ_BATCH) return;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribeProjector?.();
    await this.loop.stop();
    await this.listenClient?.end().catch(() => undefined);
  }
}
