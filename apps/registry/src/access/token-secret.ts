import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness; the prefix makes leaked tokens easy to find with secret scanners. */
export const newTokenSecret = (): string => `esr_${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Constant-time equality that does not leak the length of the expected secret either. */
export const secretsEqual = (given: string, expected: string): boolean =>
  timingSafeEqual(Buffer.from(hashSecret(given), 'hex'), Buffer.from(hashSecret(expected), 'hex'));

export const bearerToken = (authorization: unknown): string | undefined => {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match?.[1];
};
