import type { ApolloServerPlugin } from '@apollo/server';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { ServerOptions } from 'graphql-ws';
import type { RequestContext } from '../commands/request-context';
import { toCodeLabel, type ApiMetrics } from './api-metrics';
import { recordGraphQLOutcome } from './http-metrics';

type Plugin = NonNullable<ApolloDriverConfig['plugins']>[number];

const codesOf = (errors: readonly { readonly extensions?: { readonly code?: unknown } }[] | undefined): string[] =>
  (errors ?? []).map((error) => toCodeLabel(error.extensions?.code));

/** Hands the operation type and the (formatted) error codes of each HTTP request to the timing middleware. */
const outcomePlugin = (): ApolloServerPlugin<RequestContext> => ({
  requestDidStart: async () => ({
    willSendResponse: async ({ contextValue, operation, response }) => {
      if (!contextValue.req) return;
      const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
      recordGraphQLOutcome(contextValue.req, { operation: operation?.operation ?? 'unknown', codes: codesOf(errors) });
    },
  }),
});

/** graphql-ws keeps its own lifecycle: connections, and refusals that never become HTTP responses. */
export const withWsMetrics = <P extends Record<string, unknown> | undefined, E>(ws: ServerOptions<P, E>, metrics: ApiMetrics): ServerOptions<P, E> => ({
  ...ws,
  onConnect: async (ctx) => {
    const permitted = await ws.onConnect?.(ctx);
    if (permitted !== false) metrics.wsConnections.inc();
    return permitted;
  },
  // graphql-ws calls this only for acknowledged connections: the ones counted above.
  onDisconnect: async (ctx, code, reason) => {
    metrics.wsConnections.dec();
    await ws.onDisconnect?.(ctx, code, reason);
  },
  onError: async (ctx, id, payload, errors) => {
    const formatted = await ws.onError?.(ctx, id, payload, errors);
    metrics.countRefusals(codesOf(formatted || errors), 'ws');
    return formatted;
  },
  onNext: async (ctx, id, payload, args, result) => {
    const formatted = await ws.onNext?.(ctx, id, payload, args, result);
    if (result.errors) metrics.countRefusals(codesOf((formatted || result).errors), 'ws');
    return formatted;
  },
});

/** The GraphQL-over-HTTP options with the API metrics hooked in; everything else unchanged. */
export const withApiMetrics = (options: ApolloDriverConfig): ApolloDriverConfig => ({
  ...options,
  plugins: [...(options.plugins ?? []), outcomePlugin() as Plugin],
});
