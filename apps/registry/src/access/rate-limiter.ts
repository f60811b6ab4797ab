import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from './token-secret';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const IDLE_BUCKET_MS = 60_000;

/**
 * A token bucket per credential (capacity = one second's allowance), checked before GraphQL even
 * parses the request. Keyed by a hash of the bearer token, so it costs no database lookup.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when allowed; otherwise the seconds to wait before the next request fits. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perSecond, updatedMs: now };
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.perSecond);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.perSecond;
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < IDLE_BUCKET_MS) return;
    this.lastSweepMs = now;
    for (const [key, bucket] of this.buckets) if (now - bucket.updatedMs > IDLE_BUCKET_MS) this.buckets.delete(key);
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const secret = bearerToken(req.headers.authorization);
      const key = secret ? createHash('sha256').update(secret).digest('hex') : `ip:${req.ip}`;
      const wait = this.take(key);
      if (wait === 0) return next();
      const retryAfterSeconds = Math.ceil(wait * 1000) / 1000;
      res.status(429).setHeader('Retry-After', String(Math.max(1, Math.ceil(wait))));
      res.json({
        errors: [
          {
            message: `rate limit of ${this.perSecond} requests per second exceeded (RATE_LIMIT_PER_SECOND); retry in ${retryAfterSeconds} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
          },
        ],
      });
    };
  }
}
