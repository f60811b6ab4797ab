import { ConsoleLogger } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, isolatedConfig, watch, type Watch } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';

/** Everything the app logs, to prove no secret ever reaches a log line. */
class RecordingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  protected override printMessages(messages: unknown[], context?: string, logLevel?: string): void {
    this.lines.push(JSON.stringify({ messages, context, logLevel }));
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (result: { errors?: readonly { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

const eventCount = async (config: RegistryConfig): Promise<number> => {
  const admin = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(config.eventsTopic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
};

describe('access control, audit trail and limits', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const logger = new RecordingLogger();
  const tokens: Record<string, { token: string; id: string }> = {};
  const watches: Watch[] = [];
  const gql = (token: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
    graphql(registry.url, query, variables, token ? bearer(token) : {});

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_BODY_BYTES: '400000' });
    registry = await startRegistry(config, { projector: true }, logger);
    for (const [name, scopes] of [
      ['shop-reader', ['read:shop']],
      ['shop-writer', ['write:shop']],
      ['everything-reader', ['read:*']],
      ['doomed', ['write:shop']],
    ] as const) {
      const result = await gql(ADMIN, `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id name scopes } } }`, {
        i: { name, scopes },
      });
      const created = (result.data as { createApiToken: { token: string; apiToken: { id: string } } }).createApiToken;
      tokens[name] = { token: created.token, id: created.apiToken.id };
    }
    for (const ns of ['shop', 'bank']) {
      await gql(ADMIN, `mutation($ns: String!) { registerService(input: { namespace: $ns, name: "web", ports: [] }) { resourceVersion } }`, { ns });
    }
  });
  afterEach(async () => {
    await Promise.all(watches.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('refuses requests without a token or with an unknown one as UNAUTHENTICATED', async () => {
    expect(codeOf(await gql(undefined, `{ services { totalCount } }`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql('esr_not-a-real-token', `{ services { totalCount } }`))).toBe('UNAUTHENTICATED');
    const w = watch(registry.url, { ns: 'shop' });
    watches.push(w);
    await eventually(() => expect(w.closeCode).toBe(4401));
  });

  it.each([
    ['shop-reader', 'query', `{ services(namespace: "shop") { totalCount } }`, undefined],
    ['shop-reader', 'query', `{ services(namespace: "bank") { totalCount } }`, 'FORBIDDEN'],
    ['shop-reader', 'query', `{ endpointSlices(namespace: "bank") { totalCount } }`, 'FORBIDDEN'],
    ['shop-reader', 'query', `{ service(namespace: "bank", name: "web") { name } }`, 'FORBIDDEN'],
    ['shop-reader', 'mutation', `mutation { registerService(input: { namespace: "shop", name: "x", ports: [] }) { resourceVersion } }`, 'FORBIDDEN'],
    ['shop-writer', 'mutation', `mutation { registerService(input: { namespace: "shop", name: "x", ports: [] }) { resourceVersion } }`, undefined],
    ['shop-writer', 'mutation', `mutation { registerService(input: { namespace: "bank", name: "x", ports: [] }) { resourceVersion } }`, 'FORBIDDEN'],
    ['shop-writer', 'query', `{ endpointSlices(namespace: "shop") { totalCount } }`, undefined],
    ['everything-reader', 'query', `{ endpointSlices(namespace: "bank") { totalCount } }`, undefined],
    ['everything-reader', 'mutation', `mutation { deleteService(namespace: "bank", name: "web") { resourceVersion } }`, 'FORBIDDEN'],
    ['shop-writer', 'admin query', `{ apiTokens { id } }`, 'FORBIDDEN'],
    ['shop-writer', 'admin mutation', `mutation { createApiToken(input: { name: "sneaky", scopes: ["admin"] }) { token } }`, 'FORBIDDEN'],
  ])('%s: %s %s -> %s', async (who, _kind, query, expected) => {
    const result = await gql(tokens[who].token, query);
    expect(codeOf(result)).toBe(expected);
  });

  it('lists only readable namespaces when no namespace is given', async () => {
    const result = await gql(tokens['shop-reader'].token, `{ services { nodes { namespace } } endpointSlices { nodes { metadata { namespace } } } }`);
    const data = result.data as { services: { nodes: { namespace: string }[] }; endpointSlices: { nodes: { metadata: { namespace: string } }[] } };
    expect(new Set(data.services.nodes.map((n) => n.namespace))).toEqual(new Set(['shop']));
    expect(new Set(data.endpointSlices.nodes.map((n) => n.metadata.namespace))).toEqual(new Set(['shop']));
  });

  it('scopes subscriptions: FORBIDDEN for a named namespace, filtered without one', async () => {
    const forbidden = watch(registry.url, { ns: 'bank' }, bearer(tokens['shop-reader'].token));
    const unnamed = watch(registry.url, {}, bearer(tokens['shop-reader'].token));
    watches.push(forbidden, unnamed);
    await eventually(() => expect(forbidden.errors[0]?.extensions?.code).toBe('FORBIDDEN'));
    await eventually(() => expect(unnamed.events.length).toBeGreaterThan(0));
    expect(new Set(unnamed.events.map((e) => e.object?.metadata.namespace))).toEqual(new Set(['shop']));
  });

  it('ends a revoked token: its next request and its open subscription', async () => {
    const { token, id } = tokens.doomed;
    const w = watch(registry.url, { ns: 'shop' }, bearer(token));
    watches.push(w);
    await eventually(() => expect(w.events.length).toBeGreaterThan(0));
    const revoked = await gql(ADMIN, `mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id });
    expect((revoked.data as { revokeApiToken: { revokedAt: string } }).revokeApiToken.revokedAt).toBeTruthy();
    expect(codeOf(await gql(token, `{ services(namespace: "shop") { totalCount } }`))).toBe('UNAUTHENTICATED');
    await eventually(() => expect(w.closeCode).toBe(4403), 2000);
  });

  it('lists tokens without their secrets', async () => {
    const result = await gql(ADMIN, `{ apiTokens { id name scopes createdAt revokedAt } }`);
    const text = JSON.stringify(result);
    expect((result.data as { apiTokens: unknown[] }).apiTokens).toHaveLength(4);
    for (const { token } of Object.values(tokens)) expect(text).not.toContain(token);
  });

  it('records who did what: the actor on the event and the endpoint history', async () => {
    const writer = tokens['shop-writer'].token;
    await gql(writer, `mutation { registerEndpoint(input: { namespace: "shop", serviceName: "web", addresses: ["10.5.0.1"] }) { resourceVersion } }`);
    await gql(writer, `mutation { setEndpointConditions(namespace: "shop", serviceName: "web", id: "10.5.0.1", conditions: { serving: false }) { resourceVersion } }`);
    const history = await gql(tokens['shop-reader'].token, `{ endpointHistory(namespace: "shop", serviceName: "web", id: "10.5.0.1") { eventId type time actor data resourceVersions } }`);
    const entries = (history.data as { endpointHistory: { type: string; actor: string; time: string; resourceVersions: string[]; data: { conditions?: unknown } }[] }).endpointHistory;
    expect(entries.map((e) => [e.type, e.actor])).toEqual([
      ['EndpointRegistered', 'shop-writer'],
      ['EndpointConditionsChanged', 'shop-writer'],
    ]);
    expect(entries[1].data.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(entries.every((e) => e.resourceVersions.length > 0 && !Number.isNaN(Date.parse(e.time)))).toBe(true);
    expect(codeOf(await gql(tokens['shop-reader'].token, `{ endpointHistory(namespace: "bank", serviceName: "web", id: "x") { eventId } }`))).toBe('FORBIDDEN');
  });

  it('limits subscriptions per connection', async () => {
    const { createClient } = await import('graphql-ws');
    const WebSocket = (await import('ws')).default;
    const client = createClient({ url: `${registry.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: bearer(ADMIN), retryAttempts: 0 });
    const errors: unknown[] = [];
    const subscribe = () => client.subscribe({ query: `subscription { endpointSliceEvents(namespace: "shop") { type } }` }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined });
    const stops = [subscribe(), subscribe(), subscribe()];
    try {
      await eventually(() => expect(JSON.stringify(errors)).toContain('RATE_LIMITED'));
    } finally {
      stops.forEach((stop) => stop());
      await client.dispose();
    }
  });

  describe('hostile input: a clear error, the process stays up, nothing written', () => {
    let before: number;
    beforeAll(async () => {
      before = await eventCount(config);
    });
    afterAll(async () => {
      expect((await fetch(`${registry.url}/healthz`)).status).toBe(200);
      expect(await eventCount(config)).toBe(before);
    });

    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${registry.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(ADMIN), ...headers }, body });

    it('malformed JSON', async () => {
      const response = await post('{"query": "mutation {');
      expect(response.status).toBe(400);
    });

    it('a body over MAX_BODY_BYTES', async () => {
      const response = await post(JSON.stringify({ query: `{ services { totalCount } }`, variables: { pad: 'x'.repeat(500000) } }));
      expect(response.status).toBe(413);
    });

    it.each([
      ['wrong types', `mutation { registerService(input: { name: 42, ports: [] }) { resourceVersion } }`],
      ['unknown fields', `mutation { registerService(input: { name: "a", ports: [], colour: "red" }) { resourceVersion } }`],
      ['a huge string', `mutation { registerService(input: { name: "${'a'.repeat(20000)}", ports: [] }) { resourceVersion } }`],
      ['a page over the maximum', `{ services(first: 5000) { totalCount } }`],
      ['deep nesting', `{ __schema { types { fields { type { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } } } } }`],
      ['thousands of aliases', `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: services { totalCount }`).join(' ')} }`],
      ['more than 1000 endpoints in one bulk', `mutation { registerEndpoints(inputs: [${Array.from({ length: 1001 }, (_, i) => `{ namespace: "shop", serviceName: "web", addresses: ["10.4.${Math.floor(i / 250)}.${(i % 250) + 1}"] }`).join(',')}]) { resourceVersion } }`],
    ])('%s -> BAD_USER_INPUT', async (_case, query) => {
      const response = await post(JSON.stringify({ query }));
      const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0].message.length).toBeGreaterThan(10);
    });

    it('batched requests are refused', async () => {
      const response = await post(JSON.stringify([{ query: '{ services { totalCount } }' }, { query: '{ services { totalCount } }' }]));
      expect(response.status).toBeGreaterThanOrEqual(400);
    });

    it('no mutations over GET', async () => {
      const query = encodeURIComponent(`mutation { registerService(input: { namespace: "shop", name: "viaget", ports: [] }) { resourceVersion } }`);
      const response = await fetch(`${registry.url}/graphql?query=${query}`, { headers: { ...bearer(ADMIN), 'apollo-require-preflight': 'true' } });
      expect(response.status).toBe(405);
    });
  });

  it('serves the standard introspection query that GraphiQL and code generators send', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const result = await gql(ADMIN, getIntrospectionQuery());
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data)).toContain('endpointSliceEvents');
  });

  it('never logs a token', () => {
    const logs = logger.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [ADMIN, ...Object.values(tokens).map((t) => t.token)]) expect(logs).not.toContain(secret);
  });
});

describe('rate limiting', () => {
  it('answers RATE_LIMITED with a retry-after hint past RATE_LIMIT_PER_SECOND', async () => {
    const config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_SECOND: '5' });
    const registry = await startRegistry(config);
    try {
      const results = await Promise.all(Array.from({ length: 15 }, () => graphql(registry.url, `{ services { totalCount } }`, {}, bearer(ADMIN))));
      const limited = results.filter((r) => codeOf(r) === 'RATE_LIMITED');
      expect(limited.length).toBeGreaterThanOrEqual(5);
      expect(limited[0].errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
      expect(results.filter((r) => !r.errors).length).toBeGreaterThanOrEqual(5);
    } finally {
      await registry.close();
    }
  });
});
