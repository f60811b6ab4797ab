import { Inject, Injectable } from '@nestjs/common';
import { parseScopes } from '@lib/domain';
import { ApiTokenRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { LruMap } from './lru-map';
import type { Principal } from './principal';
import { RevocationWatcher } from './revocation-watcher';

/** Tokens remembered per replica; a forgotten one costs one lookup. */
const MAX_CACHED_TOKENS = 10_000;
/** Scopes never change after creation, so only revocation (pushed by RevocationWatcher) can end an entry early. */
const CACHE_TTL_MS = 60_000;

interface Cached {
  readonly principal: Principal;
  readonly expiresMs: number;
}

/**
 * Bearer secret -> principal, with the database lookup cached so that a request or a graphql-ws
 * operation costs no query. A revocation drops the token's entry at once on the replica that
 * revoked and within a poll elsewhere; while polls fail nothing cached is trusted.
 */
@Injectable()
export class TokenVerifier {
  private readonly cache = new LruMap<string, Cached>(MAX_CACHED_TOKENS);
  /** A lookup that read "active" just before a revocation must not cache the token after it. */
  private readonly revoked = new LruMap<string, true>(MAX_CACHED_TOKENS);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiTokenRepository) private readonly tokens: ApiTokenRepository,
    @Inject(RevocationWatcher) private readonly revocations: RevocationWatcher,
  ) {
    revocations.onRevoked((ids) => {
      for (const id of ids) this.revoked.set(id, true);
      this.cache.deleteWhere((entry) => entry.principal.tokenId !== undefined && ids.includes(entry.principal.tokenId));
    });
  }

  /** The principal of an already verified, unrevoked secret (by its hashSecret); undefined when it must be looked up. */
  cached(hash: string): Principal | undefined {
    const entry = this.cache.get(hash);
    if (!entry || entry.expiresMs < Date.now() || !this.revocations.current) return undefined;
    return entry.principal;
  }

  /** Looks the secret up by its hashSecret; undefined when it is unknown or revoked. */
  async verify(hash: string): Promise<Principal | undefined> {
    const record = await this.tokens.findActiveBySecretHash(this.dataSource.manager, hash);
    if (!record) return undefined;
    const principal: Principal = { tokenId: record.id, name: record.name, scopes: parseScopes(record.scopes, 'scopes') };
    if (this.revoked.get(record.id) === undefined) this.cache.set(hash, { principal, expiresMs: Date.now() + CACHE_TTL_MS });
    return principal;
  }
}
