import type { RegistryConfig } from '@lib/config';
import { graphql, isolatedConfig } from '@lib/testing';
import { DataSource } from 'typeorm';
import { getIntrospectionQuery } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startRegistry, type RunningRegistry } from './registry-app';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (result: { errors?: readonly { extensions?: { code?: unknown } }[] }) => result.errors?.[0]?.extensions?.code;
const wsUrl = (registry: RunningRegistry) => `${registry.url.replace(/^http/, 'ws')}/graphql`;

type Result = FormattedExecutionResult<Record<string, unknown>, { code?: string }>;

/** A graphql-ws client as users run one, with the close code the server chose. */
interface WsSession {
  readonly client: Client;
  /** Resolves with the close code and when it came. */
  readonly closed: Promise<{ code: number; atMs: number }>;
  run(query: string, variables?: Record<string, unknown>): Promise<Result>;
}

const connect = (registry: RunningRegistry, token?: string): WsSession => {
  let onClosed: (value: { code: number; atMs: number }) => void = () => undefined;
  const closed = new Promise<{ code: number; atMs: number }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: wsUrl(registry),
    webSocketImpl: WebSocket,
    connectionParams: token ? bearer(token) : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, atMs: Date.now() }) },
  });
  const run = (query: string, variables: Record<string, unknown> = {}) =>
    new Promise<Result>((resolve, reject) => {
      let last: Result = {};
      client.subscribe<Record<string, unknown>, { code?: string }>(
        { query, variables },
        {
          next: (result) => (last = result),
          // Operation errors arrive as a list of GraphQL errors; anything else is the socket closing.
          error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error as Error)),
          complete: () => resolve(last),
        },
      );
    });
  return { client, closed, run };
};

/** A socket that speaks the protocol by hand: what a hostile client can send. */
const rawSocket = (registry: RunningRegistry) => {
  const socket = new WebSocket(wsUrl(registry), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, opened };
};

const createToken = async (registry: RunningRegistry, name: string, scopes: string[]): Promise<{ token: string; id: string }> => {
  const result = await graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    registry.url,
    `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
    { i: { name, scopes } },
    bearer(ADMIN),
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return { token: result.data.createApiToken.token, id: result.data.createApiToken.apiToken.id };
};

const revoke = (registry: RunningRegistry, id: string) =>
  graphql(registry.url, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id }, bearer(ADMIN));

const REGISTER = `mutation($name: String!) { registerService(input: { namespace: "shop", name: $name, ports: [{ port: 80 }] }) { eventIds } }`;
/** 60 aliased root fields: over the cost limit however they are wrapped. */
const SIXTY_ROOTS = Array.from({ length: 60 }, (_, i) => `a${i}: services(first: 1) { totalCount }`).join(' ');

describe('every door guarded: HTTP and graphql-ws under one guard (AUTH_MODE=token)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const sessions: WsSession[] = [];
  const open = (token?: string, on = registry) => {
    const session = connect(on, token);
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, MAX_BODY_BYTES: '100000' });
    registry = await startRegistry(config);
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.client.dispose()));
  });
  afterAll(async () => {
    await registry?.close();
  });

  describe('connection_init', () => {
    it.each([
      ['no token', undefined],
      ['an unknown token', 'esr_made-up'],
      ['a malformed value', 'not a bearer token at all'],
    ])('closes a socket with %s: 4401', async (_case, token) => {
      const session = open(token);
      expect((await session.closed).code).toBe(4401);
    });

    it('closes a socket that never sends connection_init (4408, within a few seconds)', async () => {
      const { closed } = rawSocket(registry);
      const started = Date.now();
      expect(await closed).toBe(4408);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('acknowledges a valid token and runs queries, mutations and subscriptions for it', async () => {
      const writer = await createToken(registry, 'ws-writer', ['write:shop']);
      const session = open(writer.token);
      expect(codeOf(await session.run(REGISTER, { name: 'ws-web' }))).toBeUndefined();
      expect((await session.run(`{ service(namespace: "shop", name: "ws-web") { name } }`)).data).toEqual({ service: { name: 'ws-web' } });
      // Scopes apply per operation, as over HTTP.
      expect(codeOf(await session.run(`mutation { registerService(input: { namespace: "bank", name: "x", ports: [] }) { eventIds } }`))).toBe('FORBIDDEN');
    });
  });

  describe('revocation', () => {
    it('closes the token\'s sockets at once (4403); nothing runs for it afterwards, on any transport', async () => {
      const doomed = await createToken(registry, 'ws-doomed', ['write:shop']);
      const session = open(doomed.token);
      expect(codeOf(await session.run(REGISTER, { name: 'before-revocation' }))).toBeUndefined();
      const revokedAt = Date.now();
      expect(codeOf(await revoke(registry, doomed.id))).toBeUndefined();
      // At once on this replica: the token's cached lookup is gone before any poll.
      expect(codeOf(await graphql(registry.url, `{ services(namespace: "shop") { totalCount } }`, {}, bearer(doomed.token)))).toBe('UNAUTHENTICATED');
      const closed = await session.closed;
      expect(closed.code).toBe(4403);
      expect(closed.atMs - revokedAt).toBeLessThan(2000);
      expect((await open(doomed.token).closed).code).toBe(4401);
      const after = await graphql<{ service: unknown }>(registry.url, `{ service(namespace: "shop", name: "after-revocation") { name } }`, {}, bearer(ADMIN));
      expect(after.data?.service).toBeNull();
    });

    it('reaches every replica within two seconds: its sockets close and its cached lookups end', async () => {
      const replica = await startRegistry(config, { projector: false });
      try {
        const doomed = await createToken(registry, 'replica-doomed', ['read:shop']);
        const session = open(doomed.token, replica);
        const query = `{ services(namespace: "shop") { totalCount } }`;
        // Both paths have verified (and cached) the token on the replica.
        expect(codeOf(await session.run(query))).toBeUndefined();
        expect(codeOf(await graphql(replica.url, query, {}, bearer(doomed.token)))).toBeUndefined();
        const revokedAt = Date.now();
        expect(codeOf(await revoke(registry, doomed.id))).toBeUndefined();
        const closed = await session.closed;
        expect(closed.code).toBe(4403);
        expect(closed.atMs - revokedAt).toBeLessThan(2000);
        expect(codeOf(await graphql(replica.url, query, {}, bearer(doomed.token)))).toBe('UNAUTHENTICATED');
      } finally {
        await replica.close();
      }
    });
  });

  describe('the same depth and cost rules over both transports', () => {
    it.each([
      ['60 aliased root fields', `{ ${SIXTY_ROOTS} }`],
      ['the same inside an inline fragment', `{ ... on Query { ${SIXTY_ROOTS} } }`],
      ['the same inside a named fragment', `query { ...F } fragment F on Query { ${SIXTY_ROOTS} }`],
      ['a page of 1000 with many fields', `{ endpointSlices(first: 1000) { nodes { ${Array.from({ length: 60 }, (_, i) => `k${i}: kind`).join(' ')} } } }`],
      ['nested lists', `{ services(first: 1000) { nodes { endpointSlices { metadata { name namespace uid } endpoints { addresses } } } } }`],
      ['deep nesting', `{ __schema { types { fields { type { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } } } } }`],
    ])('refuses %s over HTTP and over graphql-ws', async (_case, query) => {
      const overHttp = await graphql(registry.url, query, {}, bearer(ADMIN));
      expect(codeOf(overHttp)).toBe('BAD_USER_INPUT');
      const overWs = await open(ADMIN).run(query);
      expect(codeOf(overWs)).toBe('BAD_USER_INPUT');
      expect(overWs.data).toBeUndefined();
    });

    it('counts a page size sent as a variable', async () => {
      const query = `query($n: Int) { endpointSlices(first: $n) { nodes { ${Array.from({ length: 60 }, (_, i) => `k${i}: kind`).join(' ')} } } }`;
      expect(codeOf(await graphql(registry.url, query, { n: 1000 }, bearer(ADMIN)))).toBe('BAD_USER_INPUT');
      expect(codeOf(await open(ADMIN).run(query, { n: 1000 }))).toBe('BAD_USER_INPUT');
      expect(codeOf(await graphql(registry.url, query, { n: 10 }, bearer(ADMIN)))).toBeUndefined();
    });

    it('still serves what clients ask every day: a full page of slices with their endpoints', async () => {
      const query = `{ endpointSlices(first: 1000) { resourceVersion nodes { metadata { name namespace resourceVersion generation } addressType
        ports { name port protocol } endpoints { addresses conditions { ready serving terminating } zone nodeName hostname targetRef { name } } } } }`;
      expect(codeOf(await graphql(registry.url, query, {}, bearer(ADMIN)))).toBeUndefined();
    });
  });

  describe('frame size', () => {
    it('closes a socket whose frame exceeds MAX_BODY_BYTES (1009) and keeps serving', async () => {
      const session = open(ADMIN);
      expect(codeOf(await session.run(`{ services { totalCount } }`))).toBeUndefined();
      void session.run(`query($pad: String) { services { totalCount } }`, { pad: 'x'.repeat(150_000) }).catch(() => undefined);
      expect((await session.closed).code).toBe(1009);
      expect(codeOf(await open(ADMIN).run(`{ services { totalCount } }`))).toBeUndefined();
      expect(codeOf(await graphql(registry.url, `{ services { totalCount } }`, {}, bearer(ADMIN)))).toBeUndefined();
    });
  });

  describe('introspection and the IDE page', () => {
    it('serves introspection to authenticated callers only, and the IDE page (no data in it) to any browser', async () => {
      expect(codeOf(await graphql(registry.url, getIntrospectionQuery()))).toBe('UNAUTHENTICATED');
      expect(codeOf(await graphql(registry.url, getIntrospectionQuery(), {}, bearer(ADMIN)))).toBeUndefined();
      expect(codeOf(await open(ADMIN).run(getIntrospectionQuery()))).toBeUndefined();
      const page = (headers: Record<string, string>, query = '') => fetch(`${registry.url}/graphql${query}`, { headers: { accept: 'text/html', ...headers } });
      for (const ide of [await page({}), await page(bearer(ADMIN)), await page({}, `?query=${encodeURIComponent('{ __schema { types { name } } }')}`)]) {
        expect(ide.status).toBe(200);
        expect(ide.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await ide.text()).toMatch(/graphiql/i);
      }
      // An operation asked for by GET without a token is refused as before, whatever else Accept names.
      const get = await fetch(`${registry.url}/graphql?query=${encodeURIComponent('{ __schema { types { name } } }')}`, { headers: { accept: 'application/json, text/html' } });
      expect(get.status).toBe(401);
    });
  });

  describe('services: totalCount and endpointSlices', () => {
    /** The SQL statements the registry sends while `run` runs. */
    const statementsDuring = async (run: () => Promise<unknown>): Promise<string[]> => {
      const manager = registry.app.get(DataSource).manager;
      const original = manager.query.bind(manager);
      const statements: string[] = [];
      const spy = jest.spyOn(manager, 'query').mockImplementation((sql: string, params?: Parameters<typeof original>[1]) => {
        statements.push(sql);
        return original(sql, params);
      });
      try {
        await run();
      } finally {
        spy.mockRestore();
      }
      return statements;
    };

    beforeAll(async () => {
      for (const name of ['batch-a', 'batch-b', 'batch-c']) {
        await graphql(registry.url, REGISTER, { name }, bearer(ADMIN));
        await graphql(
          registry.url,
          `mutation($s: String!) { registerEndpoint(input: { namespace: "shop", serviceName: $s, addresses: ["10.9.0.1"] }) { eventIds } }`,
          { s: name },
          bearer(ADMIN),
        );
      }
    });

    it('counts without reading any service state', async () => {
      let total = 0;
      const statements = await statementsDuring(async () => {
        const result = await graphql<{ services: { totalCount: number } }>(registry.url, `{ services(namespace: "shop") { totalCount } }`, {}, bearer(ADMIN));
        total = result.data?.services.totalCount ?? -1;
      });
      expect(total).toBeGreaterThanOrEqual(3);
      expect(statements.filter((sql) => /registry_services/.test(sql) && /\bstate\b/.test(sql))).toEqual([]);
    });

    it('reads the slices of a whole page of services in one query', async () => {
      let nodes: { name: string; endpointSlices: { endpoints: { addresses: string[] }[] }[] }[] = [];
      const statements = await statementsDuring(async () => {
        const result = await graphql<{ services: { nodes: typeof nodes } }>(
          registry.url,
          `{ services(namespace: "shop", first: 50) { nodes { name endpointSlices { endpoints { addresses } } } } }`,
          {},
          bearer(ADMIN),
        );
        nodes = result.data?.services.nodes ?? [];
      });
      const batched = nodes.filter((n) => n.name.startsWith('batch-'));
      expect(batched.map((n) => n.endpointSlices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)))).toEqual([['10.9.0.1'], ['10.9.0.1'], ['10.9.0.1']]);
      expect(statements.filter((sql) => /FROM endpoint_slices/.test(sql))).toHaveLength(1);
    });
  });
});

describe('rate limits key on verified principals (RATE_LIMIT_PER_SECOND=20)', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry(await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_SECOND: '20' }));
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('lets 300 made-up tokens share one bucket per address: few lookups, and a real token unaffected', async () => {
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(`${registry.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(`esr_made-up-${i}`) },
          body: JSON.stringify({ query: '{ services { totalCount } }' }),
        }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const statuses = responses.map((r) => r.status);
    // Each 401 cost one database lookup: no more than the bucket holds (20) plus its refill during the burst.
    const lookups = statuses.filter((s) => s === 401).length;
    expect(lookups).toBeGreaterThan(0);
    expect(lookups).toBeLessThanOrEqual(Math.floor(20 * (1 + seconds)));
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(responses.find((r) => r.status === 429)?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(codeOf(await graphql(registry.url, `{ services { totalCount } }`, {}, bearer(ADMIN)))).toBeUndefined();
  });

  it('limits graphql-ws operations like requests', async () => {
    const session = connect(registry, ADMIN);
    try {
      const results = await Promise.all(Array.from({ length: 40 }, () => session.run(`{ services { totalCount } }`)));
      const limited = results.filter((r) => codeOf(r) === 'RATE_LIMITED');
      expect(limited.length).toBeGreaterThanOrEqual(15);
      expect(results.filter((r) => !r.errors).length).toBeGreaterThanOrEqual(15);
    } finally {
      await session.client.dispose();
    }
  });
});

describe('GRAPHQL_INTROSPECTION=off', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry(await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, GRAPHQL_INTROSPECTION: 'off' }));
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('refuses introspection over both transports and serves no IDE page, even to an admin', async () => {
    expect(codeOf(await graphql(registry.url, `{ __schema { types { name } } }`, {}, bearer(ADMIN)))).toBe('BAD_USER_INPUT');
    const session = connect(registry, ADMIN);
    try {
      expect(codeOf(await session.run(`{ __type(name: "Service") { name } }`))).toBe('BAD_USER_INPUT');
      expect(codeOf(await session.run(`{ services { totalCount } }`))).toBeUndefined();
    } finally {
      await session.client.dispose();
    }
    const page = await fetch(`${registry.url}/graphql`, { headers: { accept: 'text/html', ...bearer(ADMIN) } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});
