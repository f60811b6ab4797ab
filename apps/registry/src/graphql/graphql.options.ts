import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { Request } from 'express';
import { formatError } from './format-error';

export const graphqlOptions = (): ApolloDriverConfig => ({
  driver: ApolloDriver,
  autoSchemaFile: true,
  sortSchema: false,
  path: '/graphql',
  graphiql: true,
  introspection: true,
  subscriptions: { 'graphql-ws': true },
  context: ({ req }: { req?: Request }) => ({ req }),
  formatError,
  includeStacktraceInErrorResponses: false,
});
