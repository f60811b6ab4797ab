import type { RegistryConfig } from '@lib/config';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { ProjectionRepositories } from '@lib/persistence';
import { rebuildProjection } from '@lib/projection';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { DataSource } from 'typeorm';
import { startRegistry, type RunningRegistry } from './registry-app';

const REGISTER_SERVICE = `mutation($i: RegisterServiceInput!, $v: String, $w: MutationWait) {
  registerService(input: $i, ifServiceVersion: $v, wait: $w) { commandId resourceVersion } }`;
const REGISTER_ENDPOINT = `mutation($i: RegisterEndpointInput!, $w: MutationWait, $r: String) {
  registerEndpoint(input: $i, wait: $w, requestId: $r) { commandId eventIds resourceVersion } }`;
const DELETE_SERVICE = `mutation($n: String!, $w: MutationWait) { deleteService(name: $n, wait: $w) { commandId } }`;
const OUTCOME = `query($id: ID!) { commandOutcome(id: $id) { status code message resourceVersion } }`;
const SERVICE = `query($n: String!) { service(name: $n) { resourceVersion endpointSlices { endpoints { addresses } } } }`;

type Result = { commandId: string; resourceVersion: string | null; eventIds?: string[] };
type Outcome = { status: string; code: string | null; message: string | null; resourceVersion: string | null };

/**
 * A projection that lags the API, made deterministic: the API runs alone while the projector is
 * stopped, so the API decides against a state the log has already moved past.
 */
describe('verdicts: the projector judges each command where it lands (real Kafka, real Postgres)', () => {
  let config: RegistryConfig;
  let api: RunningRegistry;
  let projector: RunningRegistry | undefined;

  const pause = async () => {
    await projector?.close();
    projector = undefined;
  };
  const resume = async () => {
    projector = await startRegistry(config, { projector: true });
  };
  const outcome = async (id: string) => (await graphqlOk<{ commandOutcome: Outcome }>(api.url, OUTCOME, { id })).commandOutcome;
  const settled = (id: string) =>
    eventually(async () => {
      const o = await outcome(id);
      expect(o.status).not.toBe('PENDING');
      return o;
    }, 30_000);
  const registerService = (name: string, extra: Record<string, unknown> = {}, variables: Record<string, unknown> = {}) =>
    graphql<{ registerService: Result }>(api.url, REGISTER_SERVICE, { i: { name, ports: [{ name: 'http', port: 80 }], ...extra }, ...variables });
  const registerEndpoint = (serviceName: string, address: string, variables: Record<string, unknown> = {}) =>
    graphql<{ registerEndpoint: Result }>(api.url, REGISTER_ENDPOINT, { i: { serviceName, addresses: [address] }, ...variables });

  beforeAll(async () => {
    config = { ...(await isolatedConfig()), projectionWaitMs: 30_000 };
    api = await startRegistry(config, { projector: false });
    await resume();
  });
  afterAll(async () => {
    await projector?.close();
    await api?.close();
  });

  it('rejects a registration that lands after its service was deleted, and the waiting caller hears NOT_FOUND', async () => {
    await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'gone', ports: [{ port: 80 }] } });
    await pause();
    const deleted = await graphqlOk<{ deleteService: Result }>(api.url, DELETE_SERVICE, { n: 'gone', w: 'ACK' });
    const acked = await registerEndpoint('gone', '10.1.0.1', { w: 'ACK' });
    expect(acked.errors).toBeUndefined();
    const waiting = registerEndpoint('gone', '10.1.0.2');
    await resume();

    const answer = await waiting;
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'serviceName', commandId: expect.any(String) });
    expect(answer.errors?.[0]?.message).toContain('default/gone is not registered');
    expect(await settled(deleted.deleteService.commandId)).toMatchObject({ status: 'APPLIED' });
    expect(await settled(acked.data?.registerEndpoint.commandId as string)).toMatchObject({ status: 'REJECTED', code: 'NOT_FOUND' });
    expect((await graphqlOk<{ service: unknown }>(api.url, SERVICE, { n: 'gone' })).service).toBeNull();
  });

  it('rejects a registration of a family the service stopped serving meanwhile, with CONFLICT naming the family', async () => {
    await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'dual', ports: [{ port: 80 }], addressTypes: ['IPv4', 'IPv6'] } });
    await pause();
    await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'dual', ports: [{ port: 80 }], addressTypes: ['IPv4'] }, w: 'ACK' });
    const waiting = registerEndpoint('dual', 'fd00::1');
    await resume();

    const answer = await waiting;
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'endpoint.addresses[0]' });
    expect(answer.errors?.[0]?.message).toContain('endpoint fd00::1: service default/dual serves [IPv4]');
    const service = await graphqlOk<{ service: { endpointSlices: { endpoints: unknown[] }[] } }>(api.url, SERVICE, { n: 'dual' });
    expect(service.service.endpointSlices.flatMap((s) => s.endpoints)).toEqual([]);
  });

  it('applies a service precondition once: of two writers that read the same version, the second is rejected where it lands', async () => {
    const created = await registerService('cas', {}, { v: '0' });
    expect(created.errors).toBeUndefined();
    const version = created.data?.registerService.resourceVersion as string;
    expect((await registerService('cas', {}, { v: '0' })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'ifServiceVersion' });

    await pause();
    const first = await registerService('cas', { labels: { writer: 'one' } }, { v: version, w: 'ACK' });
    const second = await registerService('cas', { labels: { writer: 'two' } }, { v: version, w: 'ACK' });
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    await resume();

    expect(await settled(first.data?.registerService.commandId as string)).toMatchObject({ status: 'APPLIED' });
    const rejected = await settled(second.data?.registerService.commandId as string);
    expect(rejected).toMatchObject({ status: 'REJECTED', code: 'CONFLICT' });
    expect(rejected.message).toContain(`changed after resourceVersion ${version}`);
    const now = await graphqlOk<{ service: { resourceVersion: string } }>(api.url, SERVICE, { n: 'cas' });
    expect(BigInt(now.service.resourceVersion)).toBeGreaterThan(BigInt(version));
    // A stale version is refused at once, before anything is appended.
    expect((await registerService('cas', {}, { v: version })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'ifServiceVersion' });
  });

  it('compares an endpoint precondition with the endpoint\'s last change', async () => {
    await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'ep', ports: [{ port: 80 }] } });
    const registered = await registerEndpoint('ep', '10.2.0.1');
    const version = registered.data?.registerEndpoint.resourceVersion as string;
    const SET = `mutation($v: String) { setEndpointConditions(serviceName: "ep", id: "10.2.0.1", conditions: { serving: false }, ifEndpointVersion: $v) { resourceVersion } }`;
    const changed = await graphqlOk<{ setEndpointConditions: Result }>(api.url, SET, { v: version });
    expect(BigInt(changed.setEndpointConditions.resourceVersion as string)).toBeGreaterThan(BigInt(version));
    expect((await graphql(api.url, SET, { v: version })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'ifEndpointVersion' });
    expect((await graphql(api.url, SET, { v: 'abc' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ifEndpointVersion' });
  });

  it('answers a repeated requestId with the first command, appending nothing again', async () => {
    await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'idem', ports: [{ port: 80 }] } });
    const first = await registerEndpoint('idem', '10.3.0.1', { r: 'intent-1' });
    const again = await registerEndpoint('idem', '10.3.0.1', { r: 'intent-1' });
    expect(again.data?.registerEndpoint).toEqual({ ...first.data?.registerEndpoint, eventIds: [] });
    const history = await graphqlOk<{ endpointHistory: unknown[] }>(api.url, `{ endpointHistory(serviceName: "idem", id: "10.3.0.1") { eventId } }`);
    expect(history.endpointHistory).toHaveLength(1);
    expect((await registerEndpoint('idem', '10.3.0.1', { r: 'x'.repeat(129) })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'requestId' });
  });

  it('refuses a bulk whose events exceed the record limit before appending any part, also across services', async () => {
    const small = { ...config, kafkaMaxRecordBytes: 16_384 };
    const limited = await startRegistry(small, { projector: false });
    try {
      await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'big-a', ports: [{ port: 80 }] } });
      await graphqlOk(api.url, REGISTER_SERVICE, { i: { name: 'big-b', ports: [{ port: 80 }] } });
      const inputs = (service: string, count: number) => Array.from({ length: count }, (_, k) => ({ serviceName: service, addresses: [`10.9.${k >> 8}.${k & 255}`] }));
      const BULK = `mutation($i: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $i) { commandId } }`;
      for (const bulk of [inputs('big-a', 200), [...inputs('big-b', 5), ...inputs('big-a', 200)]]) {
        const refused = await graphql(limited.url, BULK, { i: bulk });
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
        expect(refused.errors?.[0]?.message).toContain('KAFKA_MAX_RECORD_BYTES');
      }
      const services = await graphqlOk<{ a: { endpointSlices: { endpoints: unknown[] }[] }; b: { endpointSlices: { endpoints: unknown[] }[] } }>(
        api.url,
        `{ a: service(name: "big-a") { endpointSlices { endpoints { addresses } } } b: service(name: "big-b") { endpointSlices { endpoints { addresses } } } }`,
      );
      expect([...services.a.endpointSlices, ...services.b.endpointSlices].flatMap((s) => s.endpoints)).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('reaches the same verdicts when the log is replayed into an empty projection', async () => {
    const dataSource = api.app.get(DataSource);
    const verdicts = () =>
      dataSource.query('SELECT command_id, namespace, service_name, status, code, field, message FROM command_outcomes ORDER BY 1, 2, 3');
    const before = await verdicts();
    expect(before.filter((v: { status: string }) => v.status === 'REJECTED').length).toBeGreaterThanOrEqual(4);
    await pause();
    await rebuildProjection(dataSource, api.app.get<EventLog>(EVENT_LOG), {
      databaseUrl: config.databaseUrl ?? '',
      groupId: config.projectorGroupId,
      eventsTopic: config.eventsTopic,
      maxEndpointsPerSlice: config.maxEndpointsPerSlice,
      cacheEndpoints: config.projectorCacheEndpoints,
      repositories: api.app.get(ProjectionRepositories),
    });
    expect(await verdicts()).toEqual(before);
    await resume();
  });
});
