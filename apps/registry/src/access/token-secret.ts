import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness; the prefix makes leaked tokens easy to find with secret scanners. */
export const newTokenSecret = (): string => `esr_${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/**
 * Constant-time equality of two secrets given by their hashSecret (both of fixed length, so the
 * length of the expected secret does not leak either).
 */
export const secretHashesEqual = (given: string, expected: string): boolean => timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));

export const bearerToken = (authorization: unknown): string | undefined => {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match?.[1];
};
