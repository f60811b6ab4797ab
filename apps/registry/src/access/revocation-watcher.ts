import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { ApiTokenRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';

export type RevocationListener = (tokenIds: readonly string[]) => void;

/** Every replica sees a revocation within this plus one query (PRODUCT.md: within two seconds). */
const POLL_MS = 1000;
/**
 * revoked_at is the revoking statement's start, committed a moment later: each poll looks back
 * this far past the previous one so a revocation committed during a poll is not missed.
 */
const OVERLAP_MS = 5000;
/** Cached token lookups are trusted only while polls succeed; this long without one, every lookup asks the database again. */
const STALE_MS = 3 * POLL_MS;

/**
 * Tells every listener (token cache, open sockets, other transports' streams) which tokens were
 * revoked: at once on the replica that revoked, within POLL_MS on every other replica. A poll of
 * the api_tokens table rather than LISTEN/NOTIFY, because the embedded Postgres (PGlite) does not
 * deliver notifications across connections.
 */
@Injectable()
export class RevocationWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationWatcher.name);
  private readonly listeners = new Set<RevocationListener>();
  private since?: Date;
  private lastPollMs = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiTokenRepository) private readonly tokens: ApiTokenRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.access.mode === 'token') void this.poll();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the replica that revoked, right after the revocation committed. */
  publish(tokenIds: readonly string[]): void {
    for (const listener of this.listeners) listener(tokenIds);
  }

  /** Whether a cached lookup may be trusted: a recent poll would have reported its revocation. */
  get current(): boolean {
    return Date.now() - this.lastPollMs < STALE_MS;
  }

  private async poll(): Promise<void> {
    const started = Date.now();
    try {
      const { ids, now } = await this.tokens.revokedSince(this.dataSource.manager, this.since);
      this.since = new Date(now.getTime() - OVERLAP_MS);
      this.lastPollMs = started;
      if (ids.length > 0) this.publish(ids);
    } catch (error) {
      // Postgres unreachable: cached lookups go stale (see `current`) and every request reports UNAVAILABLE.
      this.logger.warn({ msg: 'revocation poll failed', error: (error as Error).message });
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_MS).unref();
  }
}
