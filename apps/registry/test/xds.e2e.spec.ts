import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  Server,
  ServerCredentials,
  credentials,
  makeGenericClientConstructor,
  status,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RegistryConfig } from '@lib/config';
import { eventually, graphqlOk, isolatedConfig } from '@lib/testing';
import { RegistryModule } from '../src/registry.module';
import { TYPE_URLS } from '../src/xds/resource-types';
import { AdsStream, resourceName } from './support/ads-client';
import { freePort } from './support/built-processes';
import { startRegistry, type RunningRegistry } from './registry-app';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** One unary method answering with the backend's name: which endpoint served a call. */
const WHO: ServiceDefinition = {
  who: {
    path: '/test.Who/Who',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};
const WhoClient = makeGenericClientConstructor(WHO, 'Who');
type Who = InstanceType<typeof WhoClient> & { who(request: Buffer, callback: (error: ServiceError | null, reply?: Buffer) => void): void };

/**
 * Endpoint addresses must not be loopback (the Kubernetes rule the registry applies), so the
 * backends listen on this host's first non-loopback IPv4 address.
 */
const hostAddress = (): string => {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('the xDS tests need a non-loopback IPv4 address on this host for their gRPC backends');
  return address;
};
const HOST_ADDRESS = hostAddress();

interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
}

const startBackend = async (name: string): Promise<Backend> => {
  const server = new Server();
  server.addService(WHO, { who: (_call: unknown, callback: (error: null, reply: Buffer) => void) => callback(null, Buffer.from(name)) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST_ADDRESS}:0`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { name, port, server };
};

const ask = (client: Who): Promise<string> =>
  new Promise((resolve, reject) => client.who(Buffer.alloc(0), (error, reply) => (error ? reject(error) : resolve(reply?.toString() ?? ''))));

/** Which backends answer a burst of calls. */
const answering = async (client: Who, calls = 12): Promise<string[]> => {
  const names = new Set<string>();
  for (let i = 0; i < calls; i += 1) names.add(await ask(client));
  return [...names].sort();
};

const registerService = (registry: RunningRegistry, namespace: string, name: string, headers: Record<string, string> = {}) =>
  graphqlOk(
    registry.url,
    `mutation($ns: String!, $name: String!) { registerService(input: { namespace: $ns, name: $name, ports: [{ name: "http", port: 80 }, { name: "grpc", port: 9000 }] }) { resourceVersion } }`,
    { ns: namespace, name },
    headers,
  );

const registerEndpoint = (registry: RunningRegistry, namespace: string, service: string, backend: { name: string; port: number }, zone: string, headers: Record<string, string> = {}) =>
  graphqlOk<{ registerEndpoint: { resourceVersion: string } }>(
    registry.url,
    `mutation($i: RegisterEndpointInput!) { registerEndpoint(input: $i) { resourceVersion } }`,
    // Every backend listens on one address with a port of its own: the endpoint's port overrides the service's.
    { i: { namespace, serviceName: service, id: backend.name, addresses: [HOST_ADDRESS], hostname: backend.name, zone, ports: [{ name: 'grpc', port: backend.port }] } },
    headers,
  );

const scrape = async (registry: RunningRegistry): Promise<string> => (await fetch(`${registry.url}/metrics`)).text();
const sample = (text: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('Envoy xDS (ADS) with the proxyless gRPC client', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  let xdsAddress: string;
  const backends: Backend[] = [];
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    const xdsPort = await freePort();
    xdsAddress = `127.0.0.1:${xdsPort}`;
    config = await isolatedConfig({ XDS_PORT: String(xdsPort) });
    registry = await startRegistry(config);
    backends.push(await startBackend('a'), await startBackend('b'), await startBackend('c'));
    // What a deployment puts in GRPC_XDS_BOOTSTRAP_CONFIG (README, "Envoy xDS"); read once per process.
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [{ server_uri: xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: 'xds-e2e', locality: {} },
    });
    registerXdsResolver();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const backend of backends) backend.server.forceShutdown();
    await registry?.close();
  });

  it('balances xds:///<service>.<namespace> over the ready endpoints, leaves one set not ready, takes a new one', async () => {
    await registerService(registry, 'shop', 'web');
    await registerEndpoint(registry, 'shop', 'web', backends[0], 'zone-a');
    await registerEndpoint(registry, 'shop', 'web', backends[1], 'zone-b');
    const client = new WhoClient('xds:///web.shop', credentials.createInsecure()) as Who;
    clients.push(client);

    await eventually(async () => expect(await answering(client)).toEqual(['a', 'b']), 20_000, 200);

    await graphqlOk(registry.url, `mutation { setEndpointConditions(namespace: "shop", serviceName: "web", id: "b", conditions: { ready: false }) { resourceVersion } }`);
    await eventually(async () => expect(await answering(client)).toEqual(['a']), 10_000, 100);

    await registerEndpoint(registry, 'shop', 'web', backends[2], 'zone-c');
    await eventually(async () => expect(await answering(client)).toEqual(['a', 'c']), 10_000, 100);

    const metrics = await scrape(registry);
    expect(sample(metrics, 'registry_xds_streams')).toBeGreaterThanOrEqual(1);
    for (const type of ['LDS', 'RDS', 'CDS', 'EDS']) expect(sample(metrics, `registry_xds_pushes_total{type="${type}"}`)).toBeGreaterThanOrEqual(1);
  });

  it('serves the contract: names, EDS cluster over ADS, locality zones, health from conditions, version = resourceVersion', async () => {
    const ads = new AdsStream(xdsAddress);
    clients.push(ads);
    ads.send({ type_url: TYPE_URLS.CDS, resource_names: [] });
    const clusters = await ads.next(TYPE_URLS.CDS);
    expect(clusters.resources.map(resourceName).sort()).toEqual(['shop/web/grpc', 'shop/web/http']);
    expect(clusters.resources[0]).toMatchObject({ type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });

    ads.send({ type_url: TYPE_URLS.EDS, resource_names: ['shop/web/grpc'] });
    const assignment = await ads.next(TYPE_URLS.EDS);
    const { endpointSlices } = await graphqlOk<{ endpointSlices: { resourceVersion: string } }>(
      registry.url,
      `{ endpointSlices(namespace: "shop", serviceName: "web") { resourceVersion } }`,
    );
    expect(assignment.version_info).toBe(endpointSlices.resourceVersion);
    const localities = (assignment.resources[0].endpoints as { locality: { zone: string }; lb_endpoints: { health_status: string; endpoint: { address: { socket_address: { port_value: number } } } }[] }[])
      .map((l) => ({ zone: l.locality.zone, endpoints: l.lb_endpoints.map((e) => [e.endpoint.address.socket_address.port_value, e.health_status]) }));
    expect(localities).toEqual([
      { zone: 'zone-a', endpoints: [[backends[0].port, 'HEALTHY']] },
      // setEndpointConditions({ ready: false }) keeps serving and not terminating: UNHEALTHY.
      { zone: 'zone-b', endpoints: [[backends[1].port, 'UNHEALTHY']] },
      { zone: 'zone-c', endpoints: [[backends[2].port, 'HEALTHY']] },
    ]);
  });

  it('counts and logs a NACK and does not send the rejected state again; the next change is pushed', async () => {
    const ads = new AdsStream(xdsAddress);
    clients.push(ads);
    const nacksBefore = sample(await scrape(registry), 'registry_xds_nacks_total{type="EDS"}');
    ads.send({ type_url: TYPE_URLS.EDS, resource_names: ['shop/web/grpc'] });
    const rejected = await ads.next(TYPE_URLS.EDS);
    ads.send({
      type_url: TYPE_URLS.EDS,
      resource_names: ['shop/web/grpc'],
      response_nonce: rejected.nonce,
      version_info: '',
      error_detail: { code: status.INVALID_ARGUMENT, message: 'test: rejected on purpose' },
    });
    await eventually(async () => expect(sample(await scrape(registry), 'registry_xds_nacks_total{type="EDS"}')).toBe(nacksBefore + 1));
    const { setEndpointConditions } = await graphqlOk<{ setEndpointConditions: { resourceVersion: string } }>(
      registry.url,
      `mutation { setEndpointConditions(namespace: "shop", serviceName: "web", id: "b", conditions: { ready: true }) { resourceVersion } }`,
    );
    // The response after the NACK is the change, not the rejected state again.
    const next = await ads.next(TYPE_URLS.EDS);
    expect(BigInt(next.version_info)).toBeGreaterThanOrEqual(BigInt(setEndpointConditions.resourceVersion));
    expect(next.nonce).not.toBe(rejected.nonce);
  });

  it('stops the start with a message naming XDS_PORT when the port is taken', async () => {
    const taken: TcpServer = createTcpServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    const app = await NestFactory.create<NestExpressApplication>(RegistryModule.forRoot({ ...config, xdsPort: port }, { projector: false }), {
      logger: false,
      abortOnError: false,
      bodyParser: false,
    });
    try {
      await expect(app.listen(0, '127.0.0.1')).rejects.toThrow(`XDS_PORT: 127.0.0.1:${port} is already in use; choose a free port, or 0 to turn xDS off`);
    } finally {
      await app.close().catch(() => undefined);
      taken.close();
    }
  });
});

describe('Envoy xDS with access control (AUTH_MODE=token)', () => {
  let registry: RunningRegistry;
  let xdsAddress: string;
  const streams: AdsStream[] = [];
  const open = (token?: string) => {
    const stream = new AdsStream(xdsAddress, token);
    streams.push(stream);
    return stream;
  };
  const createToken = async (name: string, scopes: string[]) =>
    (
      await graphqlOk<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        registry.url,
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
        { i: { name, scopes } },
        bearer(ADMIN),
      )
    ).createApiToken;

  beforeAll(async () => {
    const xdsPort = await freePort();
    xdsAddress = `127.0.0.1:${xdsPort}`;
    registry = await startRegistry(await isolatedConfig({ XDS_PORT: String(xdsPort), AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN }));
    for (const namespace of ['shop', 'bank']) {
      await registerService(registry, namespace, 'web', bearer(ADMIN));
      await registerEndpoint(registry, namespace, 'web', { name: 'a', port: 9001 }, 'zone-a', bearer(ADMIN));
    }
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await registry?.close();
  });

  it.each([
    ['no token', undefined],
    ['an unknown token', 'esr_made-up'],
  ])('refuses a stream with %s: UNAUTHENTICATED', async (_case, token) => {
    const stream = open(token);
    stream.send({ type_url: TYPE_URLS.LDS });
    expect(await stream.ended).toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('serves a token the namespaces it may read, and nothing of the others', async () => {
    const reader = await createToken('xds-shop-reader', ['read:shop']);
    const stream = open(reader.token);
    stream.send({ type_url: TYPE_URLS.LDS });
    expect((await stream.next(TYPE_URLS.LDS)).resources.map(resourceName)).toEqual(['web.shop']);
    stream.send({ type_url: TYPE_URLS.EDS, resource_names: ['bank/web/grpc', 'shop/web/grpc'] });
    expect((await stream.next(TYPE_URLS.EDS)).resources.map(resourceName)).toEqual(['shop/web/grpc']);

    const admin = open(ADMIN);
    admin.send({ type_url: TYPE_URLS.LDS });
    expect((await admin.next(TYPE_URLS.LDS)).resources.map(resourceName).sort()).toEqual(['web.bank', 'web.shop']);
  });

  it('ends the streams of a revoked token', async () => {
    const doomed = await createToken('xds-doomed', ['read:shop']);
    const stream = open(doomed.token);
    stream.send({ type_url: TYPE_URLS.LDS });
    await stream.next(TYPE_URLS.LDS);
    await graphqlOk(registry.url, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: doomed.apiToken.id }, bearer(ADMIN));
    expect(await stream.ended).toMatchObject({ code: status.UNAUTHENTICATED, details: 'token revoked' });
  });
});
