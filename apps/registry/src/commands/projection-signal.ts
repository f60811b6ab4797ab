import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { parseCommitNotice, PROJECTION_COMMITS_CHANNEL, type CommitNotice } from '@lib/persistence';
import { Projector } from '@lib/projection';
import { Client } from 'pg';

const RECONNECT_MS = 1000;

/**
 * Tells this API replica that some projector committed: at once from a projector in this process,
 * through Postgres LISTEN from projectors elsewhere, with the commit's notice when it sent one.
 * Listeners still read the committed state themselves when the notice does not carry it (and poll
 * as a fallback), so a lost notification costs latency, never correctness.
 */
@Injectable()
export class ProjectionSignal implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Set<(notice?: CommitNotice) => void>();
  private client?: Client;
  private unsubscribeProjector?: () => void;
  private stopped = false;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Optional() @Inject(Projector) private readonly projector?: Projector,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribeProjector = this.projector?.onCommitted(() => this.emit());
    // LISTEN needs a real Postgres: PGlite delivers NOTIFY only to the connection that sent it.
    if (this.config.databaseUrl) await this.listen(this.config.databaseUrl).catch(() => this.reconnectLater());
  }

  onCommit(listener: (notice?: CommitNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(notice?: CommitNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  private async listen(url: string): Promise<void> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('notification', (message) => this.emit(parseCommitNotice(message.payload)));
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${PROJECTION_COMMITS_CHANNEL}`);
    this.client = client;
  }

  private reconnectLater(): void {
    if (this.stopped || !this.config.databaseUrl) return;
    const url = this.config.databaseUrl;
    setTimeout(() => void this.listen(url).catch(() => this.reconnectLater()), RECONNECT_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribeProjector?.();
    await this.client?.end().catch(() => undefined);
  }
}
