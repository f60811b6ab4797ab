import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { canRead, canWrite, isAdmin, readableNamespaces, validateNamespace } from '@lib/domain';
import { ApiError } from '../graphql/format-error';
import { ANONYMOUS, type Principal } from './principal';
import { RateLimiter } from './rate-limiter';
import { RevocationWatcher, type RevocationListener } from './revocation-watcher';
import { bearerToken, hashSecret, secretHashesEqual } from './token-secret';
import { TokenVerifier } from './token-verifier';

const ADMIN: Principal = Object.freeze({ name: 'admin', scopes: [{ kind: 'admin' as const }] });

/**
 * The one guard of every transport (GraphQL over HTTP and graphql-ws today; the Kubernetes API,
 * console, DNS and xDS call the same methods): authentication with the rate limit, revocation
 * notices, and every scope decision.
 */
@Injectable()
export class AccessService {
  private readonly limiter: RateLimiter;
  /** hashSecret of ADMIN_TOKEN, computed once. */
  private readonly adminHash?: string;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(RevocationWatcher) private readonly revocations: RevocationWatcher,
  ) {
    this.limiter = new RateLimiter(config.access.rateLimitPerSecond);
    this.adminHash = config.access.adminToken === undefined ? undefined : hashSecret(config.access.adminToken);
  }

  get enabled(): boolean {
    return this.config.access.mode === 'token';
  }

  /**
   * Who sends this `Authorization` value, charged one request against the rate limit. A verified
   * token is charged to its own bucket; a missing, malformed or not yet verified one to its client
   * address's bucket before any lookup, so made-up tokens reach the database no faster than the
   * limit. Call it for every request or operation: it honours revocation (at once on the replica
   * that revoked, within two seconds elsewhere). With auth off there is no limit: every caller is
   * the same anonymous admin, and one bucket would throttle everyone.
   */
  async authenticate(authorization: unknown, clientAddress: string | undefined): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    const secret = bearerToken(authorization);
    // One hash per request serves the admin comparison and the cache lookup.
    const hash = secret === undefined ? undefined : hashSecret(secret);
    const known = hash === undefined ? undefined : this.adminHash !== undefined && secretHashesEqual(hash, this.adminHash) ? ADMIN : this.verifier.cached(hash);
    if (known) {
      this.charge(`principal:${known.tokenId ?? known.name}`);
      return known;
    }
    this.charge(`address:${clientAddress ?? 'unknown'}`);
    if (!hash) throw new ApiError('UNAUTHENTICATED', 'missing credentials: send "Authorization: Bearer <token>"');
    const principal = await this.verifier.verify(hash);
    if (!principal) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
    return principal;
  }

  /** Streams and sockets opened with a token end when it is revoked. */
  onRevoked(listener: RevocationListener): () => void {
    return this.revocations.onRevoked(listener);
  }

  private charge(key: string): void {
    const wait = this.limiter.take(key);
    if (wait === 0) return;
    const retryAfterSeconds = Math.ceil(wait * 1000) / 1000;
    throw new ApiError('RATE_LIMITED', `rate limit of ${this.limiter.perSecond} requests per second exceeded (RATE_LIMIT_PER_SECOND); retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  requireAdmin(principal: Principal): void {
    if (!isAdmin(principal.scopes)) throw new ApiError('FORBIDDEN', `token "${principal.name}" lacks the admin scope`);
  }

  requireWrite(principal: Principal, namespace: string): void {
    if (!canWrite(principal.scopes, namespace)) {
      throw new ApiError('FORBIDDEN', `token "${principal.name}" cannot write namespace "${namespace}" (needs write:${namespace}, write:* or admin)`);
    }
  }

  requireRead(principal: Principal, namespace: string): void {
    if (!canRead(principal.scopes, namespace)) {
      throw new ApiError('FORBIDDEN', `token "${principal.name}" cannot read namespace "${namespace}" (needs read:${namespace}, read:* or admin)`);
    }
  }

  /**
   * The namespaces a read may touch: the named one (checked), or with no namespace argument,
   * every namespace the token can read (undefined = all).
   */
  readScope(principal: Principal, namespace: string | null | undefined): readonly string[] | undefined {
    if (namespace != null) {
      const valid = validateNamespace(namespace, 'namespace');
      this.requireRead(principal, valid);
      return [valid];
    }
    const readable = readableNamespaces(principal.scopes);
    return readable === 'all' ? undefined : readable;
  }
}
