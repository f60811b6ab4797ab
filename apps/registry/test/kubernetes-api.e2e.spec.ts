import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryConfig } from '@lib/config';
import { ChangeLogCompactor } from '@lib/projection';
import { eventually, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { startTlsProxy, type TlsProxy } from './support/tls-proxy';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
const inNamespace = (ns: string) => `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Json = Record<string, unknown>;
interface Slice {
  metadata: { name: string; namespace: string; resourceVersion: string; labels: Record<string, string> };
  endpoints: { addresses: string[] }[];
}
interface SliceList {
  kind: string;
  metadata: { resourceVersion: string; continue?: string };
  items: Slice[];
}

const GRAPHQL_SLICES = `query($ns: String) { endpointSlices(namespace: $ns, first: 1000) { resourceVersion nodes {
  apiVersion kind metadata { name namespace uid labels annotations resourceVersion generation creationTimestamp }
  addressType ports { name protocol port appProtocol }
  endpoints { addresses conditions { ready serving terminating } hostname nodeName zone hints { forZones { name } forNodes { name } } targetRef { kind namespace name } } } } }`;

/** GraphQL answers null for an absent field; Kubernetes JSON leaves it out. */
const withoutNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
};

/** A newline-delimited watch read as a client-go reflector would: one JSON event per line. */
const openWatch = (url: string, token: string, headers: Record<string, string> = {}) => {
  const abort = new AbortController();
  const watch = { events: [] as { type: string; object: Json & { metadata?: { name?: string; resourceVersion?: string } } }[], status: 0, ended: false, stop: () => abort.abort() };
  void (async () => {
    const response = await fetch(url, { headers: { ...bearer(token), ...headers }, signal: abort.signal });
    watch.status = response.status;
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) watch.events.push(JSON.parse(line));
    }
    watch.ended = true;
  })().catch(() => undefined);
  return watch;
};

describe('Kubernetes API and Prometheus discovery (real kubectl and client-node)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const tokens: Record<string, string> = {};
  const children: ChildProcess[] = [];
  let kubeconfig: string;
  let tls: TlsProxy;

  const admin = <T = Json>(query: string, variables: Json = {}) => graphqlOk<T>(registry.url, query, variables, bearer(ADMIN));
  const registerService = (ns: string, name: string, extra: Json = {}) =>
    admin(`mutation($i: RegisterServiceInput!) { registerService(input: $i) { resourceVersion } }`, {
      i: { namespace: ns, name, ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9100 }], ...extra },
    });
  const registerEndpoint = (ns: string, serviceName: string, addresses: string[], extra: Json = {}) =>
    admin(`mutation($i: RegisterEndpointInput!) { registerEndpoint(input: $i) { resourceVersion } }`, { i: { namespace: ns, serviceName, addresses, ...extra } });
  const get = async (path: string, token: string | null = tokens.all, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${registry.url}${path}`, { ...init, headers: { ...(token ? bearer(token) : {}), ...init.headers } });
    return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
  };
  const kubectlFlags = () => ['--kubeconfig', kubeconfig, '--server', tls.url, '--certificate-authority', tls.caFile, '--token', tokens.all];
  const kubectl = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)('kubectl', [...kubectlFlags(), ...args]);
    return stdout;
  };

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, WATCH_BOOKMARK_INTERVAL_MS: '200' });
    registry = await startRegistry(config);
    tls = await startTlsProxy(registry.url);
    for (const [name, scopes] of [['shop', ['read:shop']], ['all', ['read:*']]] as const) {
      const created = await admin<{ createApiToken: { token: string } }>(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`, { i: { name, scopes } });
      tokens[name] = created.createApiToken.token;
    }
    await registerService('shop', 'web', { labels: { tier: 'front' } });
    await registerService('shop', 'cart', { labels: { tier: 'back' }, addressTypes: ['IPv4', 'IPv6'] });
    await registerService('bank', 'vault');
    for (let i = 1; i <= 4; i++) await registerEndpoint('shop', 'web', [`10.0.0.${i}`], { zone: 'z1', nodeName: `node-${i}` });
    await registerEndpoint('shop', 'cart', ['10.1.0.1', 'fd00::1'], { id: 'cart-1', hostname: 'cart-one' });
    await registerEndpoint('shop', 'cart', ['10.1.0.2'], { id: 'cart-2', conditions: { serving: false } });
    await registerEndpoint('bank', 'vault', ['10.2.0.1']);
    // An empty kubeconfig and a private cache: the test sees only --server and --token.
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
    kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    process.env.KUBECACHEDIR = join(dir, 'cache');
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await tls?.close();
    await registry?.close();
  });

  it('serves the discovery documents kubectl reads', async () => {
    expect((await get('/version', null)).body).toMatchObject({ major: '1', gitVersion: expect.any(String) });
    expect((await get('/api', null)).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await get('/apis', null)).body).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'discovery.k8s.io', preferredVersion: { version: 'v1' } }] });
    expect((await get('/apis/discovery.k8s.io/v1', null)).body).toMatchObject({
      kind: 'APIResourceList',
      resources: [{ name: 'endpointslices', kind: 'EndpointSlice', namespaced: true, verbs: ['get', 'list', 'watch'] }],
    });
  });

  it('lists exactly the objects and resourceVersion GraphQL returns', async () => {
    const graph = await admin<{ endpointSlices: { resourceVersion: string; nodes: unknown[] } }>(GRAPHQL_SLICES, { ns: 'shop' });
    const list = (await get(inNamespace('shop'))).body as unknown as SliceList;
    expect(list.kind).toBe('EndpointSliceList');
    expect(list.metadata.resourceVersion).toBe(graph.endpointSlices.resourceVersion);
    expect(list.items).toEqual(withoutNulls(graph.endpointSlices.nodes));
    expect(list.items).toHaveLength(3);
    const one = list.items[0];
    expect((await get(`${inNamespace('shop')}/${one.metadata.name}`)).body).toEqual(one);
  });

  it('filters by labelSelector and fieldSelector, cluster-wide and per namespace', async () => {
    const names = async (path: string) => ((await get(path)).body as unknown as SliceList).items.map((s) => `${s.metadata.namespace}/${s.metadata.labels['kubernetes.io/service-name']}`);
    expect(await names(SLICES)).toEqual(['bank/vault', 'shop/cart', 'shop/cart', 'shop/web']);
    expect(await names(`${SLICES}?labelSelector=${encodeURIComponent('tier in (back,front)')}`)).toEqual(['shop/cart', 'shop/cart', 'shop/web']);
    expect(await names(`${inNamespace('shop')}?labelSelector=tier%3Dfront`)).toEqual(['shop/web']);
    const web = ((await get(`${inNamespace('shop')}?labelSelector=tier%3Dfront`)).body as unknown as SliceList).items[0].metadata.name;
    expect(await names(`${SLICES}?fieldSelector=metadata.name%3D${web}`)).toEqual(['shop/web']);
    expect(await names(`${SLICES}?fieldSelector=metadata.namespace%3Dbank`)).toEqual(['bank/vault']);
  });

  it('pages with limit and continue, every page at the first page\'s resourceVersion', async () => {
    const whole = (await get(SLICES)).body as unknown as SliceList;
    const pages: SliceList[] = [];
    let next: string | undefined = '';
    while (next !== undefined) {
      const page = (await get(`${SLICES}?limit=2${next ? `&continue=${encodeURIComponent(next)}` : ''}`)).body as unknown as SliceList;
      pages.push(page);
      next = page.metadata.continue;
    }
    expect(pages.map((p) => p.items.length)).toEqual([2, 2]);
    expect(pages.flatMap((p) => p.items)).toEqual(whole.items);
    expect(new Set(pages.map((p) => p.metadata.resourceVersion))).toEqual(new Set([whole.metadata.resourceVersion]));
    expect(await get(`${SLICES}?limit=2&continue=garbage`)).toMatchObject({ status: 400, body: { kind: 'Status', reason: 'BadRequest' } });
  });

  it('answers a Table with kubectl\'s EndpointSlice columns', async () => {
    const table = (await get(`${inNamespace('shop')}?labelSelector=tier%3Dfront`, tokens.all, { headers: { accept: TABLE } })).body as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: string[]; object: { metadata: { namespace: string } } }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(table.rows[0].cells.slice(1, 4)).toEqual(['IPv4', '80,9100', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...']);
    expect(table.rows[0].cells[4]).toMatch(/^\d+s$/);
    expect(table.rows[0].object.metadata.namespace).toBe('shop');
  });

  it('answers errors as Status objects: 401, 403, 404, 405, 400', async () => {
    expect(await get(inNamespace('shop'), null)).toMatchObject({ status: 401, body: { kind: 'Status', code: 401, reason: 'Unauthorized' } });
    expect(await get(inNamespace('shop'), 'esr_unknown')).toMatchObject({ status: 401, body: { code: 401 } });
    expect(await get(inNamespace('bank'), tokens.shop)).toMatchObject({ status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden' } });
    expect(await get(`${inNamespace('shop')}/nope`)).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound' } });
    expect(await get('/api/v1/namespaces/shop/pods')).toMatchObject({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
    expect(await get('/apis/apps/v1/deployments')).toMatchObject({ status: 404, body: { kind: 'Status', code: 404 } });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const path = method === 'POST' ? inNamespace('shop') : `${inNamespace('shop')}/x`;
      expect(await get(path, tokens.all, { method, headers: { 'content-type': 'application/json' }, body: '{}' })).toMatchObject({
        status: 405,
        body: { kind: 'Status', code: 405, reason: 'MethodNotAllowed' },
      });
    }
    expect(await get(`${SLICES}?watch=true&resourceVersion=abc`)).toMatchObject({ status: 400, body: { kind: 'Status', code: 400, reason: 'BadRequest' } });
    expect(await get(`${SLICES}?labelSelector=${encodeURIComponent('a in ()')}`)).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const scoped = (await get(SLICES, tokens.shop)).body as unknown as SliceList;
    expect(new Set(scoped.items.map((s) => s.metadata.namespace))).toEqual(new Set(['shop']));
  });

  it('watches from a list\'s resourceVersion: every later change in order, bookmarks, timeoutSeconds', async () => {
    const list = (await get(inNamespace('shop'))).body as unknown as SliceList;
    const watch = openWatch(`${registry.url}${inNamespace('shop')}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${list.metadata.resourceVersion}`, tokens.shop);
    await eventually(() => expect(watch.status).toBe(200));
    await registerEndpoint('shop', 'web', ['10.0.0.5']);
    await registerEndpoint('shop', 'cart', ['10.1.0.3'], { id: 'cart-3' });
    await registerEndpoint('bank', 'vault', ['10.2.0.2']);
    await eventually(() => expect(watch.events.filter((e) => e.type === 'MODIFIED')).toHaveLength(2));
    await eventually(() => expect(watch.events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    const versions = watch.events.filter((e) => e.type === 'MODIFIED').map((e) => BigInt(e.object.metadata!.resourceVersion!));
    expect(versions[0]).toBeGreaterThan(BigInt(list.metadata.resourceVersion));
    expect(versions[1]).toBeGreaterThan(versions[0]);
    expect(watch.events.find((e) => e.type === 'BOOKMARK')?.object).toEqual({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: expect.any(String) } });
    await eventually(() => expect(watch.ended).toBe(true), 6000);
  });

  it('watches without a resourceVersion: ADDED for each current slice matching the selector', async () => {
    const watch = openWatch(`${registry.url}${SLICES}?watch=true&labelSelector=tier%3Dback`, tokens.all);
    try {
      await eventually(() => expect(watch.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED']));
      expect(watch.events.map((e) => e.object.addressType).sort()).toEqual(['IPv4', 'IPv6']);
    } finally {
      watch.stop();
    }
  });

  it('kubectl get: Table columns, -A, -n -l, -o yaml, -o json', async () => {
    const all = await kubectl('get', 'endpointslices', '-A');
    expect(all.split('\n')[0].split(/\s+/)).toEqual(['NAMESPACE', 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(all).toMatch(/bank\s+vault-\w{5}\s+IPv4\s+80,9100\s+10\.2\.0\.1,10\.2\.0\.2\s+\d+s/);
    expect(all).toMatch(/shop\s+web-\w{5}\s+IPv4\s+80,9100\s+10\.0\.0\.1,10\.0\.0\.2,10\.0\.0\.3 \+ 2 more\.\.\./);
    // --chunk-size=1 pages the Table through limit and continue.
    const withoutAge = (table: string) => table.replace(/\s+\S+$/gm, '');
    expect(withoutAge(await kubectl('get', 'endpointslices', '-A', '--chunk-size=1'))).toBe(withoutAge(all));
    const front = await kubectl('get', 'endpointslices', '-n', 'shop', '-l', 'tier=front');
    expect(front.trim().split('\n')).toHaveLength(2);
    expect(front).toMatch(/^web-\w{5}\s+IPv4/m);
    const web = front.split('\n')[1].split(/\s+/)[0];
    expect(await kubectl('get', 'endpointslice', '-n', 'shop', web, '--no-headers')).toMatch(new RegExp(`^${web}\\s+IPv4\\s+80,9100\\s+10\\.0\\.0\\.1,`));
    const yaml = await kubectl('get', 'endpointslices', '-n', 'shop', '-l', 'tier=back', '-o', 'yaml');
    expect(yaml).toMatch(/addressType: IPv6/);
    expect(yaml).toMatch(/hostname: cart-one/);
    const json = JSON.parse(await kubectl('get', 'endpointslices', '-n', 'shop', '-o', 'json')) as { items: Slice[] };
    expect(json.items).toEqual(((await get(inNamespace('shop'))).body as unknown as SliceList).items);
  });

  it('kubectl get -w shows a change', async () => {
    const child = spawn('kubectl', [...kubectlFlags(), 'get', 'endpointslices', '-n', 'bank', '-w']);
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => expect(output).toMatch(/vault-\w{5}\s+IPv4/));
    await registerEndpoint('bank', 'vault', ['10.2.0.9']);
    await eventually(() => expect(output).toMatch(/10\.2\.0\.1,10\.2\.0\.2,10\.2\.0\.9/));
    child.kill();
  });

  it('feeds a client-node informer: add, update and delete, ending equal to the GraphQL list', async () => {
    const child = spawn(process.execPath, [join(__dirname, 'support/kubernetes-informer.mjs'), tls.url, tls.caFile, tokens.shop, 'shop']);
    children.push(child);
    const lines: { verb: string; name?: string; resourceVersion?: string; addresses?: string[] }[] = [];
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop()!;
      lines.push(...complete.filter(Boolean).map((line) => JSON.parse(line)));
    });
    await eventually(() => expect(lines.map((l) => l.verb)).toContain('started'));
    await eventually(() => expect(lines.filter((l) => l.verb === 'add')).toHaveLength(3));

    await registerService('shop', 'extra');
    await registerEndpoint('shop', 'extra', ['10.3.0.1']);
    await admin(`mutation { setEndpointConditions(namespace: "shop", serviceName: "web", id: "10.0.0.1", conditions: { serving: false }) { resourceVersion } }`);
    await admin(`mutation { deregisterEndpoint(namespace: "shop", serviceName: "web", id: "10.0.0.2") { resourceVersion } }`);
    await admin(`mutation { deleteService(namespace: "shop", name: "cart") { resourceVersion } }`);

    const graph = await admin<{ endpointSlices: { nodes: { metadata: { name: string; resourceVersion: string } }[] } }>(GRAPHQL_SLICES, { ns: 'shop' });
    const expected = Object.fromEntries(graph.endpointSlices.nodes.map((n) => [n.metadata.name, n.metadata.resourceVersion]));
    await eventually(() => {
      const cache = new Map<string, string>();
      for (const line of lines) {
        if (line.verb === 'add' || line.verb === 'update') cache.set(line.name!, line.resourceVersion!);
        if (line.verb === 'delete') cache.delete(line.name!);
      }
      expect(Object.fromEntries(cache)).toEqual(expected);
    });
    expect(lines.filter((l) => l.verb === 'delete')).toHaveLength(2);
    expect(lines.some((l) => l.verb === 'update' && l.addresses?.includes('10.3.0.1'))).toBe(true);
    expect(lines.filter((l) => l.verb === 'error')).toEqual([]);
    child.kill();
  });

  it('answers Prometheus http_sd_configs: one group per ready endpoint and port', async () => {
    const sd = (query: string, token = tokens.all) => get(`/sd/prometheus${query}`, token);
    const cart = await sd('?namespace=shop&service=extra');
    expect(cart).toMatchObject({ status: 200 });
    // Prometheus' documented http_sd format: a 200 application/json array of {targets, labels}.
    expect(cart.headers.get('content-type')).toMatch(/^application\/json/);
    const everything = (await sd('')).body as unknown as { targets: string[]; labels: Record<string, unknown> }[];
    expect(everything.length).toBeGreaterThan(5);
    for (const group of everything) {
      expect(group.targets.length).toBeGreaterThan(0);
      for (const target of group.targets) expect(target).toMatch(/^(\[[0-9a-f:]+\]|[^:[\]]+):\d+$/);
      for (const [name, value] of Object.entries(group.labels)) {
        expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        expect(typeof value).toBe('string');
      }
    }
    expect(cart.body).toEqual([
      { targets: ['10.3.0.1:80'], labels: { __meta_registry_namespace: 'shop', __meta_registry_service: 'extra', __meta_registry_endpoint: '10.3.0.1', __meta_registry_port_name: 'http' } },
      { targets: ['10.3.0.1:9100'], labels: { __meta_registry_namespace: 'shop', __meta_registry_service: 'extra', __meta_registry_endpoint: '10.3.0.1', __meta_registry_port_name: 'metrics' } },
    ]);
    const web = (await sd('?namespace=shop&service=web&port=metrics')).body as unknown as { targets: string[]; labels: Record<string, string> }[];
    // 10.0.0.1 is not serving (so not ready) and 10.0.0.2 was deregistered above.
    expect(web.map((g) => g.targets)).toEqual([['10.0.0.3:9100'], ['10.0.0.4:9100'], ['10.0.0.5:9100']]);
    expect(web[0].labels).toMatchObject({ __meta_registry_zone: 'z1', __meta_registry_node_name: 'node-3', __meta_registry_port_name: 'metrics' });
    expect(await sd('?namespace=bank', tokens.shop)).toMatchObject({ status: 403, body: { kind: 'Status' } });
    const scoped = (await sd('', tokens.shop)).body as unknown as { labels: Record<string, string> }[];
    expect(new Set(scoped.map((g) => g.labels.__meta_registry_namespace))).toEqual(new Set(['shop']));
  });

  it('puts IPv6 targets in brackets and joins a dual-stack endpoint\'s addresses in one group', async () => {
    await registerService('shop', 'dual', { addressTypes: ['IPv4', 'IPv6'] });
    await registerEndpoint('shop', 'dual', ['10.4.0.1', 'fd00::4'], { id: 'd1', hostname: 'd-one' });
    const groups = (await get('/sd/prometheus?namespace=shop&service=dual&port=http')).body;
    expect(groups).toEqual([
      { targets: ['10.4.0.1:80', '[fd00::4]:80'], labels: expect.objectContaining({ __meta_registry_endpoint: 'd1', __meta_registry_hostname: 'd-one' }) },
    ]);
  });
});

describe('Kubernetes API history and rate limits', () => {
  it('ends a watch from a compacted resourceVersion with an ERROR event carrying 410 Expired, and throttles with 429', async () => {
    const config = await isolatedConfig({ WATCH_HISTORY: '1s', AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_SECOND: '5' });
    const registry = await startRegistry(config);
    try {
      await graphqlOk(registry.url, `mutation { registerService(input: { name: "old", ports: [] }) { resourceVersion } }`, {}, bearer(ADMIN));
      await graphqlOk(registry.url, `mutation { registerService(input: { name: "old", labels: { v: "2" }, ports: [] }) { resourceVersion } }`, {}, bearer(ADMIN));
      const compactor = registry.app.get(ChangeLogCompactor);
      // Both changes gone: resourceVersion 1 is then older than the retained history.
      let compacted = 0;
      await eventually(async () => expect((compacted += await compactor.compactOnce())).toBeGreaterThanOrEqual(2), 10000, 250);
      const watch = openWatch(`${registry.url}${SLICES}?watch=true&resourceVersion=1`, ADMIN);
      await eventually(() => expect(watch.ended).toBe(true));
      expect(watch.status).toBe(200);
      expect(watch.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 }) }]);

      const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(`${registry.url}${SLICES}`, { headers: bearer(ADMIN) })));
      const limited = statuses.find((r) => r.status === 429);
      expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await limited?.json()).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });

      await new Promise((resolve) => setTimeout(resolve, 1500));
      const live = openWatch(`${registry.url}${SLICES}?watch=true`, ADMIN);
      await eventually(() => expect(live.events.map((e) => e.type)).toEqual(['ADDED']));
      // An open watch must not keep the server from shutting down.
      const closing = Date.now();
      await registry.close();
      // Apollo's drain would cut it after 10 s; ended first, the client sees a clean end.
      expect(Date.now() - closing).toBeLessThan(8000);
      await eventually(() => expect(live.ended).toBe(true), 2000);
    } finally {
      await registry.close().catch(() => undefined);
    }
  });
});
