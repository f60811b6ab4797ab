import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ManagedProcess, httpOk, scrape, waitUntil } from './processes';
import { isAlive, pidsWhere } from './procfs';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** etcd from Debian's packages (etcd-server, etcd-client), installed only when missing. */
export const ensureEtcdInstalled = (log: (line: string) => void): void => {
  if (onPath('etcd')) return;
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server', 'etcd-client'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    }).status === 0;
  log('etcd: not installed; apt-get install -y etcd-server etcd-client');
  if (!install()) {
    log('etcd: install failed; apt-get update, then again');
    spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    if (!install()) throw new Error('could not install etcd-server/etcd-client from the Debian packages (run as root with apt reachable)');
  }
  if (!onPath('etcd')) throw new Error('etcd-server installed but etcd is not on PATH');
};

export interface EtcdServer {
  readonly process: ManagedProcess;
  readonly endpoint: string;
  readonly metricsUrl: string;
}

/** etcd on loopback only (client, peer and metrics ports), fsync on, data in `dataDir`. */
export const startEtcd = async (dataDir: string, logFile: string): Promise<EtcdServer> => {
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const process = ManagedProcess.start(
    'etcd',
    'etcd',
    [
      '--name', 'bench',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `bench=${peerUrl}`,
      '--listen-metrics-urls', `http://127.0.0.1:${metrics}`,
    ],
    { logFile },
  );
  await waitUntil('etcd healthy', () => httpOk(`${endpoint}/health`), { timeoutMs: 30_000, alive: () => process.running });
  return { process, endpoint, metricsUrl: `http://127.0.0.1:${metrics}/metrics` };
};

/** Mean WAL fsync of etcd so far (ms) and the number of fsyncs. */
export const etcdFsync = async (server: EtcdServer): Promise<{ count: number; sumSeconds: number }> => {
  const metrics = await scrape(server.metricsUrl);
  return { count: metrics.get('etcd_disk_wal_fsync_duration_seconds_count') ?? 0, sumSeconds: metrics.get('etcd_disk_wal_fsync_duration_seconds_sum') ?? 0 };
};

export const postgresUrl = (database: string): string => `postgres://postgres@127.0.0.1:5432/${database}`;

export const withPostgres = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: postgresUrl('postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

export const createDatabase = (name: string): Promise<void> => withPostgres(async (c) => void (await c.query(`CREATE DATABASE "${name}"`)));
export const dropDatabase = (name: string): Promise<void> => withPostgres(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
export const postgresVersion = (): Promise<string> => withPostgres(async (c) => String((await c.query('SHOW server_version')).rows[0].server_version));

const BROKER = '127.0.0.1:9092';

const brokerAnswers = (root: string): boolean =>
  spawnSync(process.execPath, [join(root, 'tools/kafka/wait-for-broker.js'), BROKER], { stdio: 'ignore', timeout: 15_000 }).status === 0;

/** Starts Kafka with the project's own `npm run kafka:up` unless a broker already answers; true when this run started it. */
export const ensureKafka = (root: string, log: (line: string) => void): boolean => {
  if (brokerAnswers(root)) return false;
  log('kafka: no broker on 127.0.0.1:9092; npm run kafka:up');
  execFileSync('npm', ['run', '--silent', 'kafka:up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
  return true;
};

/**
 * Other users of the shared broker may stop it (fault tests): before each registry process starts,
 * wait up to `waitMs` for a broker to answer again, then start one with kafka:up.
 */
export const ensureKafkaAgain = async (root: string, log: (line: string) => void, waitMs = 20_000): Promise<void> => {
  if (brokerAnswers(root)) return;
  log('kafka: the broker on 127.0.0.1:9092 stopped answering during the run; waiting for it');
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (brokerAnswers(root)) return;
  }
  log('kafka: still gone; npm run kafka:up');
  execFileSync('npm', ['run', '--silent', 'kafka:up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
};

export const stopKafka = (root: string): void => {
  execFileSync('npm', ['run', '--silent', 'kafka:down'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
};

export const kafkaPids = (root: string): number[] => {
  try {
    const pid = Number(execFileSync('cat', [join(root, '.kafka/kafka.pid')], { encoding: 'utf8' }).trim());
    if (pid && isAlive(pid)) return [pid];
  } catch {
    // not started by kafka:up; find the broker by its main class
  }
  return pidsWhere((_, cmdline) => cmdline.includes('kafka.Kafka'));
};

export const deleteTopics = async (topics: readonly string[]): Promise<void> => {
  const kafka = new Kafka({ clientId: 'registry-bench', brokers: [BROKER], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
};
