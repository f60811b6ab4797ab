import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { AccessConfig } from '@lib/config';
import type { Request } from 'express';
import { principalOf } from '../access/access.middleware';
import type { RequestContext } from '../commands/request-context';
import { formatError } from './format-error';
import { graphqlIdePlugin } from './graphql-ide';
import { queryCostPlugin, queryLimitRules } from './query-limits';
import type { SliceQueryCache } from './slice-query-cache';

type ApolloPlugin = NonNullable<ApolloDriverConfig['plugins']>[number];

/** GraphQL over HTTP. graphql-ws is served by GraphQLWsServer, under the same rules. */
export const graphqlOptions = (limits: AccessConfig, sliceCache: SliceQueryCache): ApolloDriverConfig => ({
  driver: ApolloDriver,
  autoSchemaFile: true,
  sortSchema: false,
  path: '/graphql',
  // Not @nestjs/apollo's GraphiQL: it loads from a CDN. The offline IDE is the plugin below.
  graphiql: false,
  introspection: limits.introspection,
  context: ({ req }: { req: Request }): RequestContext => ({ req, principal: principalOf(req) }),
  validationRules: queryLimitRules(limits),
  // No HTTP caching of registry answers; the plugin would otherwise wrap every field resolver.
  // (Cast: Nest types it against Apollo's ESM build, this import resolves to the CJS one.)
  plugins: [
    ApolloServerPluginCacheControlDisabled() as ApolloPlugin,
    queryCostPlugin(limits.maxQueryCost) as ApolloPlugin,
    sliceCache.plugin() as ApolloPlugin,
    ...(limits.introspection ? [graphqlIdePlugin({ tokens: limits.mode === 'token' }) as ApolloPlugin] : []),
  ],
  allowBatchedHttpRequests: false,
  formatError,
  includeStacktraceInErrorResponses: false,
});
