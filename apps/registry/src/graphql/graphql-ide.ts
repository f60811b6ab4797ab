import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage } from 'node:http';

// GraphiQL sends the headers editor's `authorization` with every HTTP request, but puts nothing
// in graphql-ws' connection_init, where the registry reads the token of a WebSocket: without
// this, its subscriptions would be refused under AUTH_MODE=token. The script remembers the last
// authorization GraphiQL sent (it fetches the schema, with the headers, before anything else)
// and adds it to connection_init. In the page's memory only.
const CARRY_TOKEN_TO_GRAPHQL_WS = `<script>
(() => {
  let authorization;
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const value = new Headers(init && init.headers).get('authorization');
    if (value) authorization = value;
    return nativeFetch(input, init);
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    send(data) {
      if (authorization && typeof data === 'string' && data.includes('"connection_init"')) {
        const message = JSON.parse(data);
        if (message.type === 'connection_init') data = JSON.stringify({ ...message, payload: { authorization, ...message.payload } });
      }
      super.send(data);
    }
  };
})();
</script>`;

const ROOT_ELEMENT = '<div id="root"></div>';

/**
 * The GraphQL IDE at `GET /graphql` for a browser: GraphiQL with all of its code inlined in one
 * page (`@graphql-yoga/render-graphiql`), so it opens where there is no internet access, unlike
 * Apollo's and @nestjs/apollo's pages, which load their code from CDNs. Subscriptions run over
 * graphql-ws on the same path; the token goes into the headers editor.
 */
export const renderGraphqlIde = (tokens: boolean): string => {
  const page = renderGraphiQL({
    title: 'EndpointSlice Registry · GraphiQL',
    endpoint: '/graphql',
    subscriptionsProtocol: 'WS',
    headers: tokens ? JSON.stringify({ authorization: 'Bearer <your API token>' }, null, 2) : '{}',
    shouldPersistHeaders: false,
    defaultQuery: 'query {\n  services { totalCount nodes { namespace name ports { name port } } }\n}\n',
  });
  // Before GraphiQL's own script, which captures window.WebSocket when it loads.
  if (!page.includes(ROOT_ELEMENT)) throw new Error('@graphql-yoga/render-graphiql changed its page: the graphql-ws token shim has no place');
  return page.replace(ROOT_ELEMENT, `${ROOT_ELEMENT}\n${CARRY_TOKEN_TO_GRAPHQL_WS}`);
};

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
