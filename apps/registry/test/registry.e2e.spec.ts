import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { eventIds resourceVersion } }`;
const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { eventIds resourceVersion } }`;
const REGISTER_ENDPOINT = `mutation($input: RegisterEndpointInput!) { registerEndpoint(input: $input) { eventIds resourceVersion } }`;
const SLICES = `query($ns: String, $svc: String) {
  endpointSlices(namespace: $ns, serviceName: $svc, first: 1000) {
    totalCount resourceVersion
    nodes { apiVersion kind addressType
      metadata { name namespace uid labels generation resourceVersion creationTimestamp }
      ports { name protocol port appProtocol }
      endpoints { addresses conditions { ready serving terminating } zone nodeName hostname targetRef { kind namespace name } } } } }`;

interface SliceNode {
  addressType: string;
  metadata: { name: string; uid: string; generation: number; resourceVersion: string; labels: Record<string, string> };
  ports: { name: string; port: number; protocol: string }[];
  endpoints: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; targetRef: { name: string } }[];
}
type SlicesResult = { endpointSlices: { totalCount: number; resourceVersion: string; nodes: SliceNode[] } };

const readEvents = async (config: RegistryConfig, expected: number) => {
  const kafka = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${config.eventsTopic}.reader.${Date.now()}` });
  const seen: { key: string; headers: Record<string, string>; value: unknown }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: config.eventsTopic, fromBeginning: true });
  const text = (headers: IHeaders | undefined) =>
    Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({ key: String(message.key), headers: text(message.headers), value: JSON.parse(String(message.value)) });
    },
  });
  try {
    await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(expected), 20000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
};

const eventCount = async (config: RegistryConfig): Promise<number> => {
  const admin = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(config.eventsTopic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
};

describe('registry end to end (real Kafka, real Postgres)', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;

  beforeAll(async () => {
    config = await isolatedConfig();
    registry = await startRegistry(config);
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('registers a service and endpoints, appends CloudEvents keyed by service, and serves the slices', async () => {
    const service = await graphqlOk<{ registerService: { eventIds: string[]; resourceVersion: string } }>(registry.url, REGISTER_SERVICE, {
      input: { name: 'web', labels: { team: 'payments' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    expect(service.registerService.resourceVersion).toMatch(/^\d+$/);

    const endpoints = await graphqlOk<{ registerEndpoints: { eventIds: string[]; resourceVersion: string } }>(registry.url, REGISTER_ENDPOINTS, {
      inputs: [
        { serviceName: 'web', addresses: ['10.0.0.1'], zone: 'zone-a', nodeName: 'node-1' },
        { serviceName: 'web', addresses: ['10.0.0.2'], conditions: { serving: false } },
      ],
    });
    expect(endpoints.registerEndpoints.eventIds).toHaveLength(2);
    expect(BigInt(endpoints.registerEndpoints.resourceVersion)).toBeGreaterThan(BigInt(service.registerService.resourceVersion));

    const { endpointSlices } = await graphqlOk<SlicesResult>(registry.url, SLICES, { svc: 'web' });
    expect(endpointSlices.totalCount).toBe(1);
    expect(endpointSlices.resourceVersion).toBe(endpoints.registerEndpoints.resourceVersion);
    const [slice] = endpointSlices.nodes;
    expect(slice).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    expect(slice.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice.metadata.labels).toEqual({
      team: 'payments',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-registry',
    });
    expect(slice.endpoints).toEqual([
      expect.objectContaining({ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Instance', namespace: 'default', name: '10.0.0.1' } }),
      expect.objectContaining({ addresses: ['10.0.0.2'], conditions: { ready: false, serving: false, terminating: false } }),
    ]);

    const events = await readEvents(config, 3);
    expect(events.map((e) => e.key)).toEqual(['default/web', 'default/web', 'default/web']);
    expect(events.map((e) => e.headers.ce_type)).toEqual([
      'io.endpointslice.registry.service.registered.v1',
      'io.endpointslice.registry.endpoint.registered.v1',
      'io.endpointslice.registry.endpoint.registered.v1',
    ]);
    for (const event of events) {
      expect(event.headers).toMatchObject({ ce_specversion: '1.0', ce_subject: 'default/web', 'content-type': 'application/json' });
      expect(Date.parse(event.headers.ce_time)).not.toBeNaN();
      expect(event.headers.ce_source).toBeTruthy();
    }
    expect(events.slice(1).map((e) => e.headers.ce_id)).toEqual(endpoints.registerEndpoints.eventIds);
    expect(events[1].value).toMatchObject({ namespace: 'default', serviceName: 'web', endpoint: { id: '10.0.0.1', zone: 'zone-a' } });
  });

  it.each([
    ['an invalid IPv4 address', { serviceName: 'web', addresses: ['10.0.0.256'] }, 'input.addresses[0]'],
    ['a loopback address', { serviceName: 'web', addresses: ['127.0.0.1'] }, 'input.addresses[0]'],
    ['an IPv6 address on an IPv4 service', { serviceName: 'web', addresses: ['2001:db8::1'] }, 'input.addresses[0]'],
    ['an empty address list', { serviceName: 'web', addresses: [] }, 'input.addresses'],
    ['an invalid namespace', { namespace: 'Bad_NS', serviceName: 'web', addresses: ['10.0.0.9'] }, 'input.namespace'],
    ['ready while terminating', { serviceName: 'web', addresses: ['10.0.0.9'], conditions: { ready: true, terminating: true } }, 'input.conditions.ready'],
  ])('rejects %s with BAD_USER_INPUT naming the field, and appends nothing', async (_case, input, field) => {
    const before = await eventCount(config);
    const result = await graphql(registry.url, REGISTER_ENDPOINT, { input });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.errors?.[0].message).toContain(field);
    expect(await eventCount(config)).toBe(before);
  });

  it('rejects a whole bulk when one input is bad, and appends nothing', async () => {
    const before = await eventCount(config);
    const result = await graphql(registry.url, REGISTER_ENDPOINTS, {
      inputs: [
        { serviceName: 'web', addresses: ['10.0.1.1'] },
        { serviceName: 'web', addresses: ['not an address'] },
      ],
    });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].addresses[0]' });
    expect(await eventCount(config)).toBe(before);
  });

  it('answers NOT_FOUND for an endpoint of an unknown service, and appends nothing', async () => {
    const before = await eventCount(config);
    const result = await graphql(registry.url, REGISTER_ENDPOINT, { input: { serviceName: 'nowhere', addresses: ['10.0.0.1'] } });
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(result.errors?.[0].message).toContain('default/nowhere');
    expect(await eventCount(config)).toBe(before);
  });

  it('changes conditions in place, deregisters, and deletes a service with its slices', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { namespace: 'shop', name: 'cart', ports: [{ port: 9000 }] } });
    await graphqlOk(registry.url, REGISTER_ENDPOINTS, {
      inputs: [
        { namespace: 'shop', serviceName: 'cart', addresses: ['10.1.0.1'] },
        { namespace: 'shop', serviceName: 'cart', addresses: ['10.1.0.2'] },
      ],
    });
    const before = (await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'shop', svc: 'cart' })).endpointSlices.nodes[0];

    await graphqlOk(
      registry.url,
      `mutation { setEndpointConditions(namespace: "shop", serviceName: "cart", id: "10.1.0.1", conditions: { serving: true, terminating: true }) { resourceVersion } }`,
    );
    const flipped = (await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'shop', svc: 'cart' })).endpointSlices.nodes[0];
    expect(flipped.metadata.name).toBe(before.metadata.name);
    expect(flipped.metadata.uid).toBe(before.metadata.uid);
    expect(flipped.metadata.generation).toBe(before.metadata.generation + 1);
    expect(flipped.endpoints[0].conditions).toEqual({ ready: false, serving: true, terminating: true });

    await graphqlOk(registry.url, `mutation { deregisterEndpoint(namespace: "shop", serviceName: "cart", id: "10.1.0.2") { resourceVersion } }`);
    const shrunk = (await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'shop', svc: 'cart' })).endpointSlices.nodes[0];
    expect(shrunk.endpoints.map((e) => e.targetRef.name)).toEqual(['10.1.0.1']);

    const missing = await graphql(registry.url, `mutation { deregisterEndpoint(namespace: "shop", serviceName: "cart", id: "10.1.0.2") { resourceVersion } }`);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    await graphqlOk(registry.url, `mutation { deleteService(namespace: "shop", name: "cart") { resourceVersion } }`);
    const after = await graphqlOk<SlicesResult & { service: unknown }>(
      registry.url,
      `query { service(namespace: "shop", name: "cart") { name } endpointSlices(namespace: "shop") { totalCount resourceVersion nodes { metadata { name } } } }`,
    );
    expect(after.service).toBeNull();
    expect(after.endpointSlices.totalCount).toBe(0);
  });

  it('packs a bulk of 250 endpoints into three slices of 100, 100 and 50', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'bulk', ports: [{ name: 'grpc', port: 50051 }] } });
    const inputs = Array.from({ length: 250 }, (_, i) => ({ serviceName: 'bulk', addresses: [`10.2.${Math.floor(i / 200)}.${(i % 200) + 1}`] }));
    await graphqlOk(registry.url, REGISTER_ENDPOINTS, { inputs });
    const { endpointSlices } = await graphqlOk<SlicesResult>(registry.url, SLICES, { svc: 'bulk' });
    expect(endpointSlices.nodes.map((s) => s.endpoints.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
  });

  it('rewrites slices in place when the target port changes', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'api', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await graphqlOk(registry.url, REGISTER_ENDPOINT, { input: { serviceName: 'api', addresses: ['10.3.0.1'] } });
    const before = (await graphqlOk<SlicesResult>(registry.url, SLICES, { svc: 'api' })).endpointSlices.nodes;
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'api', ports: [{ name: 'http', port: 80, targetPort: 9090 }] } });
    const after = (await graphqlOk<SlicesResult>(registry.url, SLICES, { svc: 'api' })).endpointSlices.nodes;
    expect(after).toHaveLength(1);
    expect(after[0].metadata.name).toBe(before[0].metadata.name);
    expect(after[0].metadata.uid).toBe(before[0].metadata.uid);
    expect(after[0].ports).toEqual([expect.objectContaining({ name: 'http', port: 9090 })]);
  });

  it('serves a dual-stack service with one slice per family', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'dual', addressTypes: ['IPv4', 'IPv6'], ports: [{ port: 443 }] } });
    await graphqlOk(registry.url, REGISTER_ENDPOINT, { input: { serviceName: 'dual', addresses: ['10.4.0.1', '2001:DB8:0:0::1'] } });
    const { endpointSlices } = await graphqlOk<SlicesResult>(registry.url, SLICES, { svc: 'dual' });
    const byFamily = Object.fromEntries(endpointSlices.nodes.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses)]));
    expect(byFamily).toEqual({ IPv4: [['10.4.0.1']], IPv6: [['2001:db8::1']] });
  });

  it('pages services with cursors and filters them with a label selector', async () => {
    for (const [name, tier] of [['pa', 'front'], ['pb', 'back'], ['pc', 'front']]) {
      await graphqlOk(registry.url, REGISTER_SERVICE, { input: { namespace: 'paging', name, labels: { tier }, ports: [] } });
    }
    const PAGE = `query($after: String, $sel: String) { services(namespace: "paging", first: 2, after: $after, labelSelector: $sel) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }`;
    type Page = { services: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { name: string }[] } };
    const first = await graphqlOk<Page>(registry.url, PAGE);
    expect(first.services).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ name: 'pa' }, { name: 'pb' }] });
    const second = await graphqlOk<Page>(registry.url, PAGE, { after: first.services.pageInfo.endCursor });
    expect(second.services).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ name: 'pc' }] });
    const front = await graphqlOk<Page>(registry.url, PAGE, { sel: 'tier in (front)' });
    expect(front.services.nodes.map((n) => n.name)).toEqual(['pa', 'pc']);
    const bad = await graphql(registry.url, PAGE, { sel: 'tier in (' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a repeated slice query identically until a commit, then with the commit at once (read your writes)', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { namespace: 'cache', name: 'cached', ports: [{ name: 'http', port: 80 }] } });
    const first = await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'cache', svc: 'cached' });
    expect(await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'cache', svc: 'cached' })).toEqual(first);

    const written = await graphqlOk<{ registerEndpoint: { resourceVersion: string } }>(registry.url, REGISTER_ENDPOINT, {
      input: { namespace: 'cache', serviceName: 'cached', addresses: ['10.9.0.1'] },
    });
    const after = await graphqlOk<SlicesResult>(registry.url, SLICES, { ns: 'cache', svc: 'cached' });

    expect(BigInt(after.endpointSlices.resourceVersion)).toBeGreaterThanOrEqual(BigInt(written.registerEndpoint.resourceVersion));
    expect(after.endpointSlices.nodes.flatMap((n) => n.endpoints.flatMap((e) => e.addresses))).toEqual(['10.9.0.1']);
  });
});
