import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import type { Request } from 'express';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { RateLimiter } from '../access/rate-limiter';
import { bearerToken, hashSecret } from '../access/token-secret';
import { ApiError } from '../graphql/format-error';

/** Who reads, and the namespaces the read may touch (undefined: all). */
export interface ReadScope {
  readonly principal: Principal;
  readonly namespaces?: readonly string[];
}

/**
 * The one place the Kubernetes API and Prometheus discovery meet access control: the bearer
 * token, RATE_LIMIT_PER_SECOND and the namespace read scopes, exactly as GraphQL applies them.
 * Until one guard serves every transport, these routes keep their own token buckets.
 */
@Injectable()
export class ReadAccess {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {
    this.limiter = new RateLimiter(config.access.rateLimitPerSecond);
  }

  async authorize(request: Request, namespace: string | undefined): Promise<ReadScope> {
    this.throttle(request);
    const principal = await this.access.authenticate(request.headers.authorization);
    return { principal, namespaces: this.access.readScope(principal, namespace) };
  }

  // Same key as the GraphQL limiter: the token's hash, or the address without one.
  private throttle(request: Request): void {
    if (!this.access.enabled) return;
    const secret = bearerToken(request.headers.authorization);
    const wait = this.limiter.take(secret ? hashSecret(secret) : `ip:${request.ip}`);
    if (wait > 0) {
      throw new ApiError('RATE_LIMITED', `rate limit of ${this.config.access.rateLimitPerSecond} requests per second exceeded (RATE_LIMIT_PER_SECOND)`, { retryAfterSeconds: wait });
    }
  }
}
