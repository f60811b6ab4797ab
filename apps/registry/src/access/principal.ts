import type { Scope } from '@lib/domain';

/** Who is calling: a token's name and scopes (the actor recorded on events), or the anonymous admin with auth off. */
export interface Principal {
  readonly tokenId?: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', scopes: [{ kind: 'admin' as const }] });
