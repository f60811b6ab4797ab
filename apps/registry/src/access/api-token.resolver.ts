import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DomainError, formatScope, parseScopes } from '@lib/domain';
import { ApiTokenRepository, type ApiTokenRecord } from '@lib/persistence';
import { DataSource } from 'typeorm';
import type { RequestContext } from '../commands/request-context';
import { AccessService } from './access.service';
import { RevocationWatcher } from './revocation-watcher';
import { ApiToken, CreateApiTokenInput, CreatedApiToken, Viewer } from './api-token.types';
import { hashSecret, newTokenSecret } from './token-secret';

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toApiToken = (record: ApiTokenRecord): ApiToken => ({ ...record, scopes: [...record.scopes] });

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiTokenRepository) private readonly tokens: ApiTokenRepository,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(RevocationWatcher) private readonly revocations: RevocationWatcher,
  ) {}

  @Query(() => Viewer, { description: 'The calling token: its name and scopes (any authenticated caller).' })
  viewer(@Context() context: RequestContext): Viewer {
    return { name: context.principal.name, scopes: context.principal.scopes.map(formatScope) };
  }

  @Query(() => [ApiToken], { description: 'admin' })
  async apiTokens(@Context() context: RequestContext): Promise<ApiToken[]> {
    this.access.requireAdmin(context.principal);
    return (await this.tokens.list(this.dataSource.manager)).map(toApiToken);
  }

  @Mutation(() => CreatedApiToken, { description: 'admin' })
  async createApiToken(@Args('input') input: CreateApiTokenInput, @Context() context: RequestContext): Promise<CreatedApiToken> {
    this.access.requireAdmin(context.principal);
    if (!TOKEN_NAME.test(input.name)) {
      throw new DomainError('BAD_USER_INPUT', 'input.name', 'must be 1..63 characters of letters, digits, ".", "_", "@" or "-", starting with a letter or digit');
    }
    const scopes = parseScopes(input.scopes, 'input.scopes').map(formatScope);
    const token = newTokenSecret();
    const record = await this.tokens.create(this.dataSource.manager, { id: randomUUID(), name: input.name, scopes, secretHash: hashSecret(token) });
    return { token, apiToken: toApiToken(record) };
  }

  @Mutation(() => ApiToken, { description: 'admin; takes effect at once on every replica and closes the token\'s graphql-ws connections within two seconds' })
  async revokeApiToken(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<ApiToken> {
    this.access.requireAdmin(context.principal);
    if (!UUID.test(id)) throw new DomainError('BAD_USER_INPUT', 'id', 'must be the id of an API token');
    const record = await this.tokens.revoke(this.dataSource.manager, id);
    if (!record) throw new DomainError('NOT_FOUND', 'id', `no API token with id ${id}`);
    this.revocations.publish([record.id]);
    return toApiToken(record);
  }
}
