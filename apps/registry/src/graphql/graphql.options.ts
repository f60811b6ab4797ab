import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { Request } from 'express';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { GraphQLError } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { formatError } from './format-error';

/** graphql-ws bypasses Apollo's formatError: apply the same translation to its results. */
const formatAll = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));

// Nest's type lists only some graphql-ws options; it passes them all to useServer.
const graphqlWsOptions: Pick<ServerOptions, 'onError' | 'onNext'> = {
  onError: (_ctx, _id, _payload, errors) => formatAll(errors),
  onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
};

export const graphqlOptions = (): ApolloDriverConfig => ({
  driver: ApolloDriver,
  autoSchemaFile: true,
  sortSchema: false,
  path: '/graphql',
  graphiql: true,
  introspection: true,
  subscriptions: { 'graphql-ws': graphqlWsOptions as GraphQLWsSubscriptionsConfig },
  context: ({ req }: { req?: Request }) => ({ req }),
  formatError,
  includeStacktraceInErrorResponses: false,
});
