import { LruMap } from './lru-map';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Buckets kept at most: a full bucket is the same as no bucket, so dropping the least recently
 * used one only forgives a client that has been quiet longer than all others.
 */
export const MAX_RATE_BUCKETS = 10_000;

/** A token bucket per key (capacity = one second's allowance); keys are verified principals or client addresses. */
export class RateLimiter {
  private readonly buckets: LruMap<string, Bucket>;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
    maxBuckets = MAX_RATE_BUCKETS,
  ) {
    this.buckets = new LruMap(maxBuckets);
  }

  /** 0 when allowed; otherwise the seconds to wait before the next request fits. */
  take(key: string): number {
    const now = this.now();
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

  get bucketCount(): number {
    return this.buckets.size;
  }
}
