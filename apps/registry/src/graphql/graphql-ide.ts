import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage } from 'node:http';

/**
 * The GraphQL IDE at `GET /graphql` for a browser: GraphiQL with all of its code inlined in one
 * page (`@graphql-yoga/render-graphiql`), so it opens where there is no internet access, unlike
 * Apollo's and @nestjs/apollo's pages, which load their code from CDNs. Subscriptions run over
 * graphql-ws on the same path; the token goes into the headers editor.
 */
export const renderGraphqlIde = (tokens: boolean): string =>
  renderGraphiQL({
    title: 'EndpointSlice Registry · GraphiQL',
    endpoint: '/graphql',
    subscriptionsProtocol: 'WS',
    headers: tokens ? JSON.stringify({ authorization: 'Bearer <your API token>' }, null, 2) : '{}',
    shouldPersistHeaders: false,
    defaultQuery: 'query {\n  services { totalCount nodes { namespace name ports { name port } } }\n}\n',
  });

/** Serves the page through Apollo's landing page hook: Apollo answers it before any operation runs. */
export const graphqlIdePlugin = (options: { tokens: boolean }): ApolloServerPlugin => {
  let html: string | undefined;
  return {
    serverWillStart: async () => ({
      // Rendered once, on the first browser visit: the page is ~9 MB of inlined GraphiQL.
      renderLandingPage: async () => ({ html: async () => (html ??= renderGraphqlIde(options.tokens)) }),
    }),
  };
};

/**
 * A request for the IDE page, not an operation: a GET whose Accept header names text/html first,
 * as a browser's navigation does (GraphiQL keeps the query in the page's URL, so a reload carries
 * a query string). Apollo's content negotiation then always picks the page, which it answers
 * before it builds a context or runs anything, so the access middleware lets such a request
 * through without a token: the page holds no data, and everything it shows comes through
 * requests carrying the token typed into its headers editor.
 */
export const isIdePageRequest = (request: Pick<IncomingMessage, 'method' | 'headers'>): boolean =>
  request.method === 'GET' && (request.headers.accept ?? '').split(',')[0]?.trim().toLowerCase() === 'text/html';
