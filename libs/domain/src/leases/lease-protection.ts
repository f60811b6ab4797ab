/**
 * Protective mode: when many leases lapse at once the cause is more likely on the registry's side
 * (a partition, a stalled registry) than in the fleet, so expiry pauses (Eureka's self-preservation,
 * made explicit: a threshold on numbers, a visible state, an automatic exit and an override).
 */

/** Lapses are counted over this window: expired within it, or due and not yet expired. */
export const LEASE_PROTECTION_WINDOW_SECONDS = 60;

export interface LeaseProtectionPolicy {
  /** LEASE_PROTECT_FRACTION: more than this share of all leased endpoints... */
  readonly fraction: number;
  /** LEASE_PROTECT_MIN: ...and at least this many. */
  readonly min: number;
}

export interface LapseCount {
  /** Leases that lapsed within the window or are due now (would expire). */
  readonly wouldExpire: number;
  /** Every leased endpoint. */
  readonly leased: number;
}

export const exceedsProtectionThreshold = (count: LapseCount, policy: LeaseProtectionPolicy): boolean =>
  count.wouldExpire >= policy.min && count.wouldExpire > policy.fraction * count.leased;

export interface LeaseProtectionState {
  readonly active: boolean;
  /** An operator ended the current episode: expiry goes on until the count falls back under the threshold. */
  readonly released: boolean;
}

export const NO_PROTECTION: LeaseProtectionState = Object.freeze({ active: false, released: false });

/**
 * One step per sweep. An episode lasts while the threshold is exceeded; it ends by itself when
 * renewals (or expiries, after a release) bring the count back under it, which also clears a release.
 */
export const nextLeaseProtection = (current: LeaseProtectionState, exceeded: boolean): LeaseProtectionState => {
  if (!exceeded) return NO_PROTECTION;
  if (current.released) return { active: false, released: true };
  return { active: true, released: false };
};
