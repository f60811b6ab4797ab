import type { Request, Response } from 'express';
import { buildSchema, type GraphQLFieldResolver } from 'graphql';
import { accessMiddleware } from '../access/access.middleware';
import type { AccessService } from '../access/access.service';
import { ANONYMOUS } from '../access/principal';
import { ApiError } from './format-error';
import { graphqlHttpHandler } from './graphql-http.handler';
import { PreparedDocuments } from './prepared-documents';
import { SliceQueryCache } from './slice-query-cache';

const schema = buildSchema(`
  type Query { hello(name: String!): String, endpointSlices: Int }
  type Mutation { fail: String }
  type Subscription { ticks: Int }
`);
let sliceReads = 0;
const resolve = (type: 'Query' | 'Mutation', field: string, resolver: GraphQLFieldResolver<unknown, unknown>) => {
  const object = type === 'Query' ? schema.getQueryType() : schema.getMutationType();
  object!.getFields()[field].resolve = resolver;
};
resolve('Query', 'hello', (_, args: { name: string }) => `hello ${args.name}`);
resolve('Query', 'endpointSlices', () => ++sliceReads);
resolve('Mutation', 'fail', () => {
  throw new ApiError('FORBIDDEN', 'not yours');
});

interface Sent {
  status?: number;
  headers: Record<string, unknown>;
  body?: string;
  next: boolean;
}

const access = { authenticate: async () => ANONYMOUS } as unknown as AccessService;
const handler = graphqlHttpHandler(() => schema, new PreparedDocuments([], 50_000), new SliceQueryCache(async () => '7'));

/** One request through the access middleware and the handler: what was written, or that it went on to Apollo. */
const serve = async (body: unknown, options: { method?: string; accept?: string } = {}): Promise<Sent> => {
  const req = { method: options.method ?? 'POST', headers: options.accept ? { accept: options.accept } : {}, body, socket: {} } as unknown as Request;
  const sent: Sent = { headers: {}, next: false };
  const res = {
    set statusCode(value: number) {
      sent.status = value;
    },
    setHeader: (name: string, value: unknown) => (sent.headers[name] = value),
    end: (text: string) => (sent.body = text),
  } as unknown as Response;
  await accessMiddleware(access, { idePage: false })(req, res, () => undefined);
  await handler(req, res, () => (sent.next = true));
  return sent;
};

describe('graphqlHttpHandler: POST /graphql without Apollo for requests that execute cleanly', () => {
  it('answers as Apollo does: status 200, JSON with a newline, the length', async () => {
    const sent = await serve({ query: 'query($n: String!) { hello(name: $n) }', variables: { n: 'you' } });
    expect(sent).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': 31 },
      body: '{"data":{"hello":"hello you"}}\n',
      next: false,
    });
  });

  it('formats resolver errors with the registry codes, errors before data', async () => {
    const sent = await serve({ query: 'mutation { fail }' });
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body!)).toEqual({
      errors: [{ message: 'not yours', locations: [{ line: 1, column: 12 }], path: ['fail'], extensions: { code: 'FORBIDDEN' } }],
      data: { fail: null },
    });
    expect(sent.body!.indexOf('"errors"')).toBeLessThan(sent.body!.indexOf('"data"'));
  });

  it.each([
    ['a batch', [{ query: '{ hello(name: "a") }' }], {}],
    ['GET', { query: '{ hello(name: "a") }' }, { method: 'GET' }],
    ['a syntax error', { query: '{ hello(' }, {}],
    ['a validation error', { query: '{ nope }' }, {}],
    ['variables that do not fit', { query: 'query($n: String!) { hello(name: $n) }', variables: {} }, {}],
    ['variables that are not an object', { query: '{ hello(name: "a") }', variables: 'x' }, {}],
    ['a persisted query', { query: '{ hello(name: "a") }', extensions: { persistedQuery: {} } }, {}],
    ['a subscription', { query: 'subscription { ticks }' }, {}],
    ['an unknown operation name', { query: '{ hello(name: "a") }', operationName: 'Other' }, {}],
    ['a graphql-response+json client', { query: '{ hello(name: "a") }' }, { accept: 'application/graphql-response+json' }],
  ])('leaves %s to Apollo, writing nothing', async (_case, body, options) => {
    const sent = await serve(body, options);
    expect(sent).toEqual({ headers: {}, next: true });
  });

  it('answers a repeated slice read from the slice cache while the counter holds', async () => {
    const first = await serve({ query: '{ endpointSlices }' });
    const second = await serve({ query: '{ endpointSlices }' });
    expect(first.body).toBe(second.body);
    expect(sliceReads).toBe(1);
  });
});
