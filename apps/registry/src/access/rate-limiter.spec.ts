import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a second of requests at once, then refills at the configured rate', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    expect([1, 2, 3, 4, 5].map(() => limiter.take('a'))).toEqual([0, 0, 0, 0, 0]);
    expect(limiter.take('a')).toBeCloseTo(0.2);
    now = 200;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(1, () => 0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('b')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('keeps at most maxBuckets, dropping the least recently used', () => {
    const limiter = new RateLimiter(1, () => 0, 3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.take(key);
    expect(limiter.bucketCount).toBe(3);
    // "e" is recent and still empty; "a" was dropped and starts full again.
    expect(limiter.take('e')).toBeGreaterThan(0);
    expect(limiter.take('a')).toBe(0);
  });
});
