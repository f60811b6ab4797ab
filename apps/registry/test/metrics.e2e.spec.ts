import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, isolatedConfig, prometheusSample, watch, type Watch } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';
const UNKNOWN_TOKEN = 'not-a-registered-token-5f2c9e';
const RATE_LIMIT = 5;

type Labels = Record<string, string>;

const sample = prometheusSample;

describe('/metrics: the API front door', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const watches: Watch[] = [];
  const scrape = async () => (await fetch(`${registry.url}/metrics`)).text();
  const asAdmin = (query: string) => graphql(registry.url, query, {}, { authorization: `Bearer ${ADMIN}` });

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_SECOND: String(RATE_LIMIT) });
    registry = await startRegistry(config);
  });
  afterAll(async () => {
    await Promise.all(watches.map((w) => w.stop()));
    await registry?.close();
  });

  it('times requests by route, operation type and outcome code, and counts refusals', async () => {
    const before = await scrape();
    const requests = (operation: string, code: string) => ({ route: '/graphql', operation, code });
    const countOf = (text: string, labels: Labels) => sample(text, 'registry_http_request_duration_seconds_count', labels);

    expect((await asAdmin('mutation { registerService(input: { name: "web", ports: [{ port: 80 }] }) { resourceVersion } }')).errors).toBeUndefined();
    expect((await asAdmin('{ service(name: "web") { name } }')).errors).toBeUndefined();
    expect((await asAdmin('mutation { registerService(input: { name: "Not_A_Name", ports: [] }) { resourceVersion } }')).errors?.[0].extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect((await graphql(registry.url, '{ service(name: "web") { name } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const burst = await Promise.all(
      Array.from({ length: RATE_LIMIT * 3 }, () => fetch(`${registry.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${UNKNOWN_TOKEN}` },
        body: JSON.stringify({ query: '{ service(name: "web") { name } }' }),
      })),
    );
    const limited = burst.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThan(0);
    expect((await fetch(`${registry.url}/healthz`)).status).toBe(200);

    const after = await scrape();
    const moved = (labels: Labels) => countOf(after, labels) - countOf(before, labels);
    expect(moved(requests('mutation', 'OK'))).toBe(1);
    expect(moved(requests('query', 'OK'))).toBe(1);
    expect(moved(requests('mutation', 'BAD_USER_INPUT'))).toBe(1);
    expect(moved({ route: '/graphql', code: 'UNAUTHENTICATED' })).toBe(1 + burst.length - limited);
    expect(moved({ route: '/graphql', code: 'RATE_LIMITED' })).toBe(limited);
    expect(moved({ route: '/healthz', operation: 'other', code: 'OK' })).toBe(1);
    expect(sample(after, 'registry_http_request_duration_seconds_sum', requests('mutation', 'OK'))).toBeGreaterThan(0);
    expect(sample(after, 'registry_http_request_duration_seconds_bucket', { ...requests('mutation', 'OK'), le: '+Inf' })).toBe(countOf(after, requests('mutation', 'OK')));

    const refusals = (text: string, labels: Labels) => sample(text, 'registry_auth_refusals_total', labels);
    expect(refusals(after, { transport: 'http', code: 'UNAUTHENTICATED' }) - refusals(before, { transport: 'http', code: 'UNAUTHENTICATED' })).toBe(1 + burst.length - limited);
    expect(sample(after, 'registry_rate_limited_total', { transport: 'http' }) - sample(before, 'registry_rate_limited_total', { transport: 'http' })).toBe(limited);

    // Bounded labels: neither secrets nor query text reach a series.
    expect(after).not.toContain(UNKNOWN_TOKEN);
    expect(after).not.toContain(ADMIN);
    expect(after).not.toContain('registerService');
  });

  it('follows graphql-ws connections, watch subscribers and the events sent to them', async () => {
    const before = await scrape();
    const watcher = watch(registry.url, { svc: 'web' }, { authorization: `Bearer ${ADMIN}` });
    watches.push(watcher);
    await eventually(() => expect(watcher.events.map((e) => e.type)).toEqual(['ADDED']));
    // The test above drained this address's bucket for unverified tokens; one second refills it,
    // so the refusal below is for the token, not the rate.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = watch(registry.url, { svc: 'web' }, { authorization: `Bearer ${UNKNOWN_TOKEN}` });
    watches.push(refused);
    // Refused in connection_init: closed with 4401, never acknowledged, so never counted as connected.
    await eventually(() => expect(refused.closeCode).toBe(4401));

    const during = await scrape();
    expect(sample(during, 'registry_graphql_ws_connections')).toBe(1);
    expect(sample(during, 'registry_watch_subscribers')).toBe(1);
    expect(sample(during, 'registry_watch_events_sent_total') - sample(before, 'registry_watch_events_sent_total')).toBe(1);
    expect(sample(during, 'registry_auth_refusals_total', { transport: 'ws', code: 'UNAUTHENTICATED' })).toBe(1);

    await asAdmin('mutation { registerEndpoint(input: { serviceName: "web", addresses: ["10.0.0.1"] }) { resourceVersion } }');
    await eventually(() => expect(watcher.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']));
    await eventually(async () => expect(sample(await scrape(), 'registry_watch_events_sent_total') - sample(before, 'registry_watch_events_sent_total')).toBe(2));

    await Promise.all(watches.splice(0).map((w) => w.stop()));
    await eventually(async () => {
      const closed = await scrape();
      expect(sample(closed, 'registry_graphql_ws_connections')).toBe(0);
      expect(sample(closed, 'registry_watch_subscribers')).toBe(0);
    });
  });
});
