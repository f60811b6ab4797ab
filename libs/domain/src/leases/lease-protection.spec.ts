import {
  exceedsProtectionThreshold,
  nextLeaseProtection,
  NO_PROTECTION,
  type LeaseProtectionState,
} from './lease-protection';

const policy = Object.freeze({ fraction: 0.3, min: 20 });

describe('exceedsProtectionThreshold', () => {
  it.each([
    ['nothing lapses', 0, 1000, false],
    ['a fleet too small to reach the minimum', 19, 20, false],
    ['the minimum, but not more than the fraction', 30, 100, false],
    ['more than the fraction, exactly the minimum', 20, 60, true],
    ['a mass lapse', 400, 1000, true],
    ['every lease of a fleet at the minimum', 20, 20, true],
    ['just over the fraction', 31, 100, true],
  ])('%s: %d of %d -> %p', (_case, wouldExpire, leased, expected) => {
    expect(exceedsProtectionThreshold({ wouldExpire, leased }, policy)).toBe(expected);
  });
});

describe('nextLeaseProtection', () => {
  const active: LeaseProtectionState = Object.freeze({ active: true, released: false });
  const released: LeaseProtectionState = Object.freeze({ active: false, released: true });

  it('engages when the threshold is exceeded', () => expect(nextLeaseProtection(NO_PROTECTION, true)).toEqual(active));
  it('stays engaged while it is exceeded', () => expect(nextLeaseProtection(active, true)).toEqual(active));
  it('ends by itself once renewals bring the count back under it', () => expect(nextLeaseProtection(active, false)).toEqual(NO_PROTECTION));
  it('stays released for the rest of the episode', () => expect(nextLeaseProtection(released, true)).toEqual(released));
  it('forgets the release when the episode ends, so the next one engages again', () => {
    const ended = nextLeaseProtection(released, false);
    expect(ended).toEqual(NO_PROTECTION);
    expect(nextLeaseProtection(ended, true)).toEqual(active);
  });
});
