import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { AccessConfig } from '@lib/config';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { Context, ServerOptions } from 'graphql-ws';
import type { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import type { RequestContext } from '../commands/request-context';
import { ApiError, formatError, toGraphQLError } from './format-error';
import { sharedSubscribe } from '../watch/shared-subscribe';
import { queryLimitsRule } from './query-limits';
import type { SliceQueryCache } from './slice-query-cache';

/** graphql-ws bypasses Apollo's formatError: apply the same translation to its results. */
const formatAll = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));

/** An error thrown before execution (context creation, connection), shaped like any other. */
const HTTP_STATUS: Readonly<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429, UNAVAILABLE: 503 };

const preExecutionError = (error: unknown): GraphQLError => {
  const { message, code, extensions } = toGraphQLError(error);
  return new GraphQLError(message, { extensions: { ...extensions, code, http: { status: HTTP_STATUS[code] ?? 500 } } });
};

interface Connection {
  principal?: Principal;
  authError?: unknown;
  readonly subscriptions: Set<string>;
}

/** Per-socket state: who authenticated in connection_init, and the operations it runs. */
const connections = new WeakMap<object, Connection>();
const connectionOf = (ctx: Context): Connection => {
  const key = ctx.extra as object;
  let connection = connections.get(key);
  if (!connection) {
    connection = { subscriptions: new Set() };
    connections.set(key, connection);
  }
  return connection;
};

const graphqlWsOptions = (access: AccessService, limits: AccessConfig): Partial<ServerOptions> => ({
  onConnect: async (ctx) => {
    const connection = connectionOf(ctx);
    try {
      connection.principal = await access.authenticate(ctx.connectionParams?.authorization);
    } catch (error) {
      // Accepted, so that each subscribe answers with UNAUTHENTICATED instead of a bare close code.
      connection.authError = error;
    }
    return true;
  },
  onSubscribe: (ctx, id) => {
    const connection = connectionOf(ctx);
    if (connection.authError) return [preExecutionError(connection.authError)];
    if (connection.subscriptions.size >= limits.maxSubscriptionsPerConnection) {
      return [preExecutionError(new ApiError('RATE_LIMITED', `at most ${limits.maxSubscriptionsPerConnection} operations per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`))];
    }
    connection.subscriptions.add(id);
    return undefined;
  },
  onComplete: (ctx, id) => {
    connectionOf(ctx).subscriptions.delete(id);
  },
  context: (ctx): RequestContext => ({ principal: connectionOf(ctx).principal as Principal }),
  subscribe: sharedSubscribe,
  onError: (_ctx, _id, _payload, errors) => formatAll(errors),
  onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
});

export const graphqlOptions = (access: AccessService, limits: AccessConfig, sliceCache: SliceQueryCache): ApolloDriverConfig => ({
  driver: ApolloDriver,
  autoSchemaFile: true,
  sortSchema: false,
  path: '/graphql',
  graphiql: true,
  introspection: true,
  // Nest's type lists only some graphql-ws options; it passes them all to useServer.
  subscriptions: { 'graphql-ws': graphqlWsOptions(access, limits) as GraphQLWsSubscriptionsConfig },
  context: async ({ req }: { req: Request }): Promise<RequestContext> => {
    try {
      return { req, principal: await access.authenticate(req.headers.authorization) };
    } catch (error) {
      throw preExecutionError(error);
    }
  },
  validationRules: [queryLimitsRule(limits.maxQueryDepth, limits.maxQueryCost)],
  // No HTTP caching of registry answers; the plugin would otherwise wrap every field resolver.
  // (Cast: Nest types it against Apollo's ESM build, this import resolves to the CJS one.)
  plugins: [
    ApolloServerPluginCacheControlDisabled() as NonNullable<ApolloDriverConfig['plugins']>[number],
    sliceCache.plugin() as NonNullable<ApolloDriverConfig['plugins']>[number],
  ],
  allowBatchedHttpRequests: false,
  formatError,
  includeStacktraceInErrorResponses: false,
});
