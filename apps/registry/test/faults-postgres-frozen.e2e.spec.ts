import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { FreezableProxy } from './support/freezable-proxy';
import { REGISTER_ENDPOINTS, REGISTER_SERVICE } from './support/projection-audit';

const UNAVAILABLE_WITHIN_MS = 10_000;
const SLICES = `{ endpointSlices(serviceName: "frozen") { totalCount } }`;

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
};

describe('fault: Postgres frozen under a running registry (connections open, no replies)', () => {
  let proxy: FreezableProxy | undefined;
  let registry: RunningRegistry | undefined;

  afterAll(async () => {
    proxy?.thaw();
    await registry?.close();
    await proxy?.close();
  });

  // One statement waits PG_QUERY_TIMEOUT_MS (6 s); then the pool refuses at once until Postgres answers a probe.
  it('answers UNAVAILABLE within 10 s on queries and mutations with the default timeouts, and serves again once it thaws', async () => {
    const isolated = await isolatedConfig();
    const direct = new URL(isolated.databaseUrl as string);
    proxy = await FreezableProxy.start({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.port = String(proxy.port);
    const config: RegistryConfig = { ...isolated, databaseUrl: proxied.toString() };
    registry = await startRegistry(config);
    const { url } = registry;

    await graphqlOk(url, REGISTER_SERVICE, { input: { name: 'frozen', ports: [{ port: 80 }] } });
    await graphqlOk(url, REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'frozen', addresses: ['10.40.0.1'] }] });

    proxy.freeze();

    const query = await timed(() => graphql(url, SLICES));
    expect(query.result.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
    expect(query.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    const mutation = await timed(() => graphql(url, REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'frozen', addresses: ['10.40.0.2'] }] }));
    expect(mutation.result.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
    expect(mutation.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    const concurrent = await timed(() => Promise.all(Array.from({ length: 12 }, () => graphql(url, SLICES))));
    expect(concurrent.result.map((r) => r.errors?.[0].extensions?.code)).toEqual(Array(12).fill('UNAVAILABLE'));
    expect(concurrent.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    console.info(`frozen Postgres: query UNAVAILABLE after ${query.ms} ms, mutation after ${mutation.ms} ms, 12 concurrent queries after ${concurrent.ms} ms`);

    proxy.thaw();

    const after = await eventually(
      () => graphqlOk<{ registerEndpoints: { resourceVersion: string | null } }>(url, REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'frozen', addresses: ['10.40.0.3'] }] }),
      60_000,
      500,
    );
    expect(after.registerEndpoints.resourceVersion).toMatch(/^\d+$/);
    await eventually(async () => expect((await graphqlOk<{ endpointSlices: { totalCount: number } }>(url, SLICES)).endpointSlices.totalCount).toBe(1), 30_000, 500);

    // Frozen again, a mutation first this time: it too waits one query timeout at most.
    proxy.freeze();
    const first = await timed(() => graphql(url, REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'frozen', addresses: ['10.40.0.4'] }] }));
    expect(first.result.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
    expect(first.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
    proxy.thaw();
    await eventually(() => graphqlOk(url, REGISTER_ENDPOINTS, { inputs: [{ serviceName: 'frozen', addresses: ['10.40.0.5'] }] }), 60_000, 500);
    console.info(`frozen again: mutation UNAVAILABLE after ${first.ms} ms`);
  }, 180_000);
});
