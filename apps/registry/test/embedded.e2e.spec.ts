import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { graphql, graphqlOk, watch, type Watch } from '@lib/testing';

/**
 * `npm start` with nothing configured: the built registry as a separate process, on PGlite and the
 * embedded event log, restarted cleanly and with SIGKILL.
 *
 * The app is compiled here, with the same commands and tsconfig as `npm run build`, into a private
 * directory: the test never runs a stale dist/, and never rewrites dist/ under a registry someone
 * else is running. It sits under node_modules/ so that the compiled files resolve the packages.
 */
const ROOT = resolve(__dirname, '../../..');
const BUILD_DIR = join(ROOT, 'node_modules/.cache/registry-e2e', `${process.env.TEST_RUN_ID ?? 'run'}-${process.pid}`);
const MAIN = join(BUILD_DIR, 'apps/registry/src/main.js');
const EXTERNAL_PORTS = new Set([5432, 9092]);

const SLICES = `query { endpointSlices(serviceName: "web") { totalCount resourceVersion
  nodes { metadata { name uid resourceVersion generation } endpoints { addresses } } } }`;
const REGISTER_SERVICE = `mutation { registerService(input: { name: "web", ports: [{ name: "http", port: 80, targetPort: 8080 }] }) { resourceVersion } }`;
const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { eventIds resourceVersion } }`;
const REGISTER_ENDPOINT = `mutation($address: String!) { registerEndpoint(input: { serviceName: "web", addresses: [$address] }) { resourceVersion } }`;

interface SlicesResult {
  endpointSlices: {
    totalCount: number;
    resourceVersion: string;
    nodes: { metadata: { name: string; uid: string; resourceVersion: string; generation: number }; endpoints: { addresses: string[] }[] }[];
  };
}

const addressesOf = (result: SlicesResult): string[] =>
  result.endpointSlices.nodes.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).sort();

/** Like a newcomer's shell: no Postgres, no Kafka, no auth settings. */
const embeddedEnv = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', DNS_PORT: '0' };
  for (const name of Object.keys(env)) {
    if (['DATABASE_URL', 'KAFKA_BROKERS', 'AUTH_MODE', 'ADMIN_TOKEN'].includes(name) || name.startsWith('PG')) delete env[name];
  }
  return env;
};

class RegistryProcess {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  static running = new Set<RegistryProcess>();

  static async start(dataDir: string): Promise<{ registry: RegistryProcess; url: string; bootMs: number }> {
    const started = Date.now();
    const registry = new RegistryProcess(spawn(process.execPath, [MAIN], { cwd: ROOT, env: embeddedEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] }));
    RegistryProcess.running.add(registry);
    void registry.exited.then(() => RegistryProcess.running.delete(registry));
    const url = await registry.until(() => /"graphql":"(http:\/\/localhost:\d+)\/graphql"/.exec(registry.output)?.[1], 'the startup log line');
    await registry.until(async () => (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) || undefined, '/healthz');
    return { registry, url, bootMs: Date.now() - started };
  }

  get log(): string {
    return this.output;
  }

  async stop(signal: NodeJS.Signals) {
    this.child.kill(signal);
    return this.exited;
  }

  private async until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 90000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`registry never served ${what} (exit ${this.child.exitCode ?? this.child.signalCode}); its output:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Remote ends of the process's TCP sockets, from /proc (Linux). */
const remoteEndpoints = (pid: number): { address: string; port: number }[] => {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const endpoints: { address: string; port: number }[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || !inodes.has(columns[9])) continue;
      const [address, port] = columns[2].split(':');
      endpoints.push({ address, port: parseInt(port, 16) });
    }
  }
  return endpoints;
};

/** 127.0.0.1, ::1, ::ffff:127.0.0.1, or no peer (a listening socket), as /proc/net/tcp{,6} spell them. */
const LOOPBACK_OR_NONE = /^(0100007F|00000000|0{24}01000000|0{16}FFFF00000100007F|0{32})$/i;

describe('embedded mode: the built registry with nothing else installed', () => {
  let dataDir: string;

  beforeAll(async () => {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
    await promisify(execFile)(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: ROOT });
    await promisify(execFile)(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: ROOT });
    dataDir = mkdtempSync(join(tmpdir(), 'registry-embedded-'));
  }, 300000);

  afterEach(async () => {
    await Promise.all([...RegistryProcess.running].map((r) => r.stop('SIGKILL')));
  });
  afterAll(async () => {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves, keeps its data across a clean restart and a kill -9, and opens no external connection', async () => {
    // First boot: initdb, migrations, the banner.
    const first = await RegistryProcess.start(dataDir);
    expect(first.registry.log).toContain('mode:    embedded');
    expect(first.registry.log).toContain(join(dataDir, 'pg'));
    expect(first.registry.log).toMatch(/curl -s http:\/\/localhost:\d+\/graphql .*registerService/);

    await graphqlOk(first.url, REGISTER_SERVICE);
    await graphqlOk(first.url, REGISTER_ENDPOINTS, {
      inputs: [
        { serviceName: 'web', addresses: ['10.0.0.1'], zone: 'zone-a' },
        { serviceName: 'web', addresses: ['10.0.0.2'], zone: 'zone-b' },
      ],
    });
    const listed = await graphqlOk<SlicesResult>(first.url, SLICES);
    expect(listed.endpointSlices.totalCount).toBe(1);
    expect(addressesOf(listed)).toEqual(['10.0.0.1', '10.0.0.2']);

    // A subscription, once the schema has one (list-then-watch).
    const schema = await graphqlOk<{ __schema: { subscriptionType: { fields: { name: string }[] } | null } }>(
      first.url,
      '{ __schema { subscriptionType { fields { name } } } }',
    );
    if (schema.__schema.subscriptionType?.fields.some((f) => f.name === 'endpointSliceEvents')) {
      const subscription: Watch = watch(first.url, { svc: 'web' });
      try {
        await until(() => subscription.events.length >= 1, () => `the initial ADDED event, got ${JSON.stringify(subscription)}`);
        expect(subscription.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: listed.endpointSlices.nodes[0].metadata.name } } });
        await graphqlOk(first.url, REGISTER_ENDPOINT, { address: '10.0.0.3' });
        await until(() => subscription.events.some((e) => e.type === 'MODIFIED'), () => `a MODIFIED event, got ${JSON.stringify(subscription.events)}`);
        expect(subscription.errors).toEqual([]);
      } finally {
        await subscription.stop();
      }
    } else {
      await graphqlOk(first.url, REGISTER_ENDPOINT, { address: '10.0.0.3' });
    }

    const external = remoteEndpoints(first.registry.child.pid as number).filter(
      (e) => EXTERNAL_PORTS.has(e.port) || !LOOPBACK_OR_NONE.test(e.address),
    );
    expect(external).toEqual([]);

    // Clean restart.
    const beforeStop = await graphqlOk<SlicesResult>(first.url, SLICES);
    // Nest re-raises the signal once its shutdown hooks are done; the released lock shows they ran.
    expect(await first.registry.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);
    expect(first.registry.log).not.toMatch(/"level":"error"/);

    const second = await RegistryProcess.start(dataDir);
    expect(await graphqlOk<SlicesResult>(second.url, SLICES)).toEqual(beforeStop);
    expect(second.registry.log).not.toMatch(/"level":"error"|consumer failed/);
    const ready = await (await fetch(`${second.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', projectorLag: 0 });

    // kill -9 while mutations are in flight: every one that answered is kept, the rest never half.
    await graphqlOk(second.url, REGISTER_ENDPOINT, { address: '10.0.0.4' });
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      graphql<{ registerEndpoint: { resourceVersion: string | null } }>(second.url, REGISTER_ENDPOINT, { address: `10.0.1.${i + 1}` }),
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(await second.registry.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const answers = await Promise.allSettled(inFlight);
    const acknowledged = answers.flatMap((a, i) => (a.status === 'fulfilled' && a.value.data?.registerEndpoint.resourceVersion ? [`10.0.1.${i + 1}`] : []));

    const third = await RegistryProcess.start(dataDir);
    await until(
      async () => ((await (await fetch(`${third.url}/readyz`)).json()) as { projectorLag: number }).projectorLag === 0,
      () => 'the projector to catch up with the log after the kill',
    );
    const afterKill = addressesOf(await graphqlOk<SlicesResult>(third.url, SLICES));
    expect(afterKill).toEqual(expect.arrayContaining(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', ...acknowledged]));

    // The log and the projection go on from where they were: offsets continue, nothing re-applied.
    const next = await graphqlOk<{ registerEndpoint: { resourceVersion: string } }>(third.url, REGISTER_ENDPOINT, { address: '10.0.2.1' });
    expect(addressesOf(await graphqlOk<SlicesResult>(third.url, SLICES))).toEqual([...afterKill, '10.0.2.1'].sort());
    expect(BigInt(next.registerEndpoint.resourceVersion)).toBeGreaterThan(BigInt(beforeStop.endpointSlices.resourceVersion));
    expect(await third.registry.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);
  }, 300000);

  it('refuses to open a data directory another registry is using', async () => {
    const running = await RegistryProcess.start(dataDir);
    try {
      const rival = spawn(process.execPath, [MAIN], { cwd: ROOT, env: embeddedEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      rival.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      rival.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const code = await new Promise<number | null>((done) => rival.on('exit', done));
      expect(code).toBe(1);
      expect(output).toContain(`${dataDir} is in use by process ${running.registry.child.pid}`);
      expect((await fetch(`${running.url}/healthz`)).ok).toBe(true);
    } finally {
      await running.registry.stop('SIGTERM');
    }
  }, 180000);
});

const until = async (condition: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 30000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
