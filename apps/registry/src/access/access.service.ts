import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { canRead, canWrite, isAdmin, parseScopes, readableNamespaces, validateNamespace } from '@lib/domain';
import { ApiTokenRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { ApiError } from '../graphql/format-error';
import { ANONYMOUS, type Principal } from './principal';
import { bearerToken, hashSecret, secretsEqual } from './token-secret';

const ADMIN: Principal = Object.freeze({ name: 'admin', scopes: [{ kind: 'admin' as const }] });

/** Authentication (bearer token -> principal) and every scope decision of the API. */
@Injectable()
export class AccessService {
  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiTokenRepository) private readonly tokens: ApiTokenRepository,
  ) {}

  get enabled(): boolean {
    return this.config.access.mode === 'token';
  }

  /** Looked up on every request, so a revocation takes effect at once on every replica. */
  async authenticate(authorization: unknown): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    const secret = bearerToken(authorization);
    if (!secret) throw new ApiError('UNAUTHENTICATED', 'missing credentials: send "Authorization: Bearer <token>"');
    const admin = this.config.access.adminToken;
    if (admin !== undefined && secretsEqual(secret, admin)) return ADMIN;
    const record = await this.tokens.findActiveBySecretHash(this.dataSource.manager, hashSecret(secret));
    if (!record) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
    return { tokenId: record.id, name: record.name, scopes: parseScopes(record.scopes, 'scopes') };
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
