import { Kafka, logLevel } from 'kafkajs';
import type { RegistryConfig } from '@lib/config';
import { ChangeLogCompactor } from '@lib/projection';
import { eventually, graphql, graphqlOk, isolatedConfig, watch, type ReceivedEvent, type Watch } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

const LIST = `query($ns: String, $svc: String) {
  endpointSlices(namespace: $ns, serviceName: $svc, first: 1000) { resourceVersion nodes { metadata { name namespace resourceVersion generation } } } }`;
type ListResult = { endpointSlices: { resourceVersion: string; nodes: { metadata: { name: string; namespace: string; resourceVersion: string; generation: number } }[] } };

const list = (url: string, variables: Record<string, unknown> = {}) => graphqlOk<ListResult>(url, LIST, variables);

const mutate = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk<Record<string, { resourceVersion: string }>>(url, query, variables);

/** The slice set a client rebuilds from a list plus the events after it: name -> resourceVersion/generation. */
const rebuild = (initial: ListResult, events: readonly ReceivedEvent[]) => {
  const state = new Map(initial.endpointSlices.nodes.map((n) => [`${n.metadata.namespace}/${n.metadata.name}`, n.metadata]));
  for (const event of events) {
    if (!event.object) continue;
    const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    if (event.type === 'DELETED') state.delete(key);
    else state.set(key, { ...event.object.metadata });
  }
  return Object.fromEntries([...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, m]) => [k, [m.resourceVersion, m.generation]]));
};

const lastRv = (events: readonly ReceivedEvent[]) => events[events.length - 1]?.resourceVersion;

const drive = async (url: string) => {
  const reg = (name: string, labels: Record<string, string> = {}) =>
    mutate(url, `mutation($i: RegisterServiceInput!) { registerService(input: $i) { resourceVersion } }`, { i: { name, labels, ports: [{ port: 80 }] } });
  const bulk = (svc: string, from: number, count: number) =>
    mutate(url, `mutation($i: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $i) { resourceVersion } }`, {
      i: Array.from({ length: count }, (_, k) => ({ serviceName: svc, addresses: [`10.9.${Math.floor((from + k) / 250)}.${((from + k) % 250) + 1}`] })),
    });
  await reg('alpha', { tier: 'front' });
  await reg('beta', { tier: 'back' });
  await bulk('alpha', 0, 150);
  await bulk('beta', 1000, 20);
  await mutate(url, `mutation { setEndpointConditions(serviceName: "alpha", id: "10.9.0.1", conditions: { serving: false }) { resourceVersion } }`);
  await mutate(url, `mutation { deregisterEndpoints(serviceName: "alpha", ids: ["10.9.0.2", "10.9.0.3"]) { resourceVersion } }`);
  await bulk('alpha', 150, 60);
  await mutate(url, `mutation { deleteService(name: "beta") { resourceVersion } }`);
  return (await list(url)).endpointSlices.resourceVersion;
};

describe('list-then-watch (graphql-ws, real pipeline)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const watches: Watch[] = [];
  const open = (...args: Parameters<typeof watch>) => {
    const w = watch(...args);
    watches.push(w);
    return w;
  };

  beforeAll(async () => {
    config = await isolatedConfig({ WATCH_BOOKMARK_INTERVAL_MS: '200' });
    registry = await startRegistry(config);
  });
  afterEach(async () => {
    await Promise.all(watches.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('watches from a list without gaps, survives a reconnect, and rebuilds exactly the final list', async () => {
    const initial = await list(registry.url);
    const uninterrupted = open(registry.url, { rv: initial.endpointSlices.resourceVersion });
    const first = open(registry.url, { rv: initial.endpointSlices.resourceVersion });

    const half = drive(registry.url);
    await eventually(() => expect(first.events.length).toBeGreaterThan(2));
    await first.stop();
    const finalRv = await half;
    const resumed = open(registry.url, { rv: lastRv(first.events) });

    await eventually(() => expect(lastRv(uninterrupted.events)).toBe(finalRv));
    await eventually(() => expect(lastRv(resumed.events)).toBe(finalRv));

    const stitched = [...first.events, ...resumed.events];
    expect(stitched).toEqual(uninterrupted.events);
    const versions = uninterrupted.events.map((e) => BigInt(e.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(versions).size).toBe(versions.length);
    expect(new Set(uninterrupted.events.map((e) => e.type))).toEqual(new Set(['ADDED', 'MODIFIED', 'DELETED']));

    expect(rebuild(initial, uninterrupted.events)).toEqual(rebuild(await list(registry.url), []));
  });

  it('without a resourceVersion sends ADDED for current slices, then live changes', async () => {
    await mutate(registry.url, `mutation { registerService(input: { namespace: "live", name: "gamma", ports: [] }) { resourceVersion } }`);
    const w = open(registry.url, { ns: 'live' });
    await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED']));
    await mutate(registry.url, `mutation { registerEndpoint(input: { namespace: "live", serviceName: "gamma", addresses: ["10.8.0.1"] }) { resourceVersion } }`);
    await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']));
    expect(w.events[1].object?.endpoints).toHaveLength(1);
  });

  it('filters by service and label selector, delivering nothing of other services', async () => {
    const rv = (await list(registry.url)).endpointSlices.resourceVersion;
    const bySelector = open(registry.url, { ns: 'filt', sel: 'team=blue', rv });
    const byService = open(registry.url, { ns: 'filt', svc: 'one', rv });
    for (const [name, team] of [['one', 'red'], ['two', 'blue']]) {
      await mutate(registry.url, `mutation($i: RegisterServiceInput!) { registerService(input: $i) { resourceVersion } }`, {
        i: { namespace: 'filt', name, labels: { team }, ports: [] },
      });
    }
    await eventually(() => expect(bySelector.events).toHaveLength(1));
    await eventually(() => expect(byService.events).toHaveLength(1));
    expect(bySelector.events[0].object?.metadata.name).toMatch(/^two-/);
    expect(byService.events[0].object?.metadata.name).toMatch(/^one-/);
  });

  it('sends bookmarks with the latest resourceVersion when asked', async () => {
    const w = open(registry.url, { ns: 'quiet', bookmarks: true });
    await eventually(() => expect(w.events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object).toBeNull();
    expect(BigInt(bookmark?.resourceVersion ?? '0')).toBeGreaterThan(0n);
  });

  it('refuses a malformed resourceVersion with BAD_USER_INPUT', async () => {
    const w = open(registry.url, { rv: 'yesterday' });
    await eventually(() => expect(w.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT'));
  });

  it('delivers every change through a second API replica that runs no projector', async () => {
    const replica = await startRegistry(config, { projector: false });
    try {
      const rv = (await list(replica.url)).endpointSlices.resourceVersion;
      const w = open(replica.url, { ns: 'replica', rv });
      await mutate(registry.url, `mutation { registerService(input: { namespace: "replica", name: "delta", ports: [] }) { resourceVersion } }`);
      await mutate(registry.url, `mutation { registerEndpoint(input: { namespace: "replica", serviceName: "delta", addresses: ["10.7.0.1"] }) { resourceVersion } }`);
      await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']));
      // A mutation through the replica waits for the other process's projector.
      const result = await mutate(replica.url, `mutation { deregisterEndpoint(namespace: "replica", serviceName: "delta", id: "10.7.0.1") { resourceVersion } }`);
      expect(result.deregisterEndpoint.resourceVersion).toMatch(/^\d+$/);
      await eventually(() => expect(w.events).toHaveLength(3));
    } finally {
      await replica.close();
    }
  });

  it('publishes every change to the compacted slice topic, from which a consumer rebuilds the current set', async () => {
    const current = await list(registry.url);
    const expected = Object.fromEntries(current.endpointSlices.nodes.map((n) => [`${n.metadata.namespace}/${n.metadata.name}`, n.metadata.resourceVersion]));
    const kafka = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${config.slicesTopic}.reader` });
    const rebuilt = new Map<string, string>();
    await consumer.connect();
    await consumer.subscribe({ topic: config.slicesTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = String(message.key);
        if (!message.value) return void rebuilt.delete(key);
        const change = JSON.parse(String(message.value)) as { type: string; object: { apiVersion: string; metadata: { resourceVersion: string } } };
        expect(change.object.apiVersion).toBe('discovery.k8s.io/v1');
        if (change.type === 'DELETED') rebuilt.delete(key);
        else rebuilt.set(key, change.object.metadata.resourceVersion);
      },
    });
    try {
      await eventually(() => expect(Object.fromEntries(rebuilt)).toEqual(expected), 20000);
    } finally {
      await consumer.disconnect();
    }
  });
});

describe('two projector instances committing concurrently', () => {
  it('never lets a watcher skip a resourceVersion that commits late', async () => {
    const config = await isolatedConfig();
    const first = await startRegistry(config);
    const second = await startRegistry(config);
    const { Client } = await import('pg');
    const db = new Client({ connectionString: config.databaseUrl });
    await db.connect();
    try {
      const from = (await list(first.url)).endpointSlices.resourceVersion;
      const w = watch(second.url, { rv: from });
      const services = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
      await Promise.all(
        services.map((name, i) =>
          mutate(i % 2 ? first.url : second.url, `mutation($i: RegisterServiceInput!) { registerService(input: $i) { resourceVersion } }`, { i: { name, ports: [] } }),
        ),
      );
      await Promise.all(
        services.flatMap((name, i) =>
          [1, 2, 3].map((k) =>
            mutate(k % 2 ? first.url : second.url, `mutation($i: RegisterEndpointInput!) { registerEndpoint(input: $i) { resourceVersion } }`, {
              i: { serviceName: name, addresses: [`10.6.${i}.${k}`] },
            }),
          ),
        ),
      );
      const { rows } = await db.query<{ rv: string }>('SELECT resource_version::text AS rv FROM slice_changes WHERE resource_version > $1 ORDER BY resource_version', [from]);
      const committed = rows.map((r) => r.rv);
      // At least one change per service; commands that land in one transaction coalesce per slice.
      expect(committed.length).toBeGreaterThanOrEqual(services.length);
      await eventually(() => expect(w.events.map((e) => e.resourceVersion)).toEqual(committed));
      await w.stop();
    } finally {
      await db.end();
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('watch history compaction', () => {
  it('answers RESOURCE_VERSION_TOO_OLD for a compacted resourceVersion', async () => {
    const config = await isolatedConfig({ WATCH_HISTORY: '1s' });
    const registry = await startRegistry(config);
    try {
      await graphqlOk(registry.url, `mutation { registerService(input: { name: "old", ports: [] }) { resourceVersion } }`);
      await graphqlOk(registry.url, `mutation { registerService(input: { name: "old", labels: { v: "2" }, ports: [] }) { resourceVersion } }`);
      const compactor = registry.app.get(ChangeLogCompactor);
      await eventually(async () => expect(await compactor.compactOnce()).toBeGreaterThan(0), 10000, 250);
      const w = watch(registry.url, { rv: '0' });
      try {
        await eventually(() => expect(w.errors[0]?.extensions?.code).toBe('RESOURCE_VERSION_TOO_OLD'));
        expect(w.errors[0].message).toMatch(/list again/);
      } finally {
        await w.stop();
      }
      const latest = (await graphql<ListResult>(registry.url, LIST)).data?.endpointSlices.resourceVersion;
      const fresh = watch(registry.url, { rv: latest });
      try {
        await graphqlOk(registry.url, `mutation { deleteService(name: "old") { resourceVersion } }`);
        await eventually(() => expect(fresh.events.map((e) => e.type)).toEqual(['DELETED']));
      } finally {
        await fresh.stop();
      }
    } finally {
      await registry.close();
    }
  });
});
