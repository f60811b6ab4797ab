import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryConfig } from '@lib/config';

export const ROOT = join(__dirname, '..', '..', '..', '..');

const ENTRY_POINTS = { api: 'dist/apps/registry/src/main.js', projector: 'dist/apps/projector/src/main.js' } as const;
/** What tsconfig.build.json compiles; tests and the testing lib are not part of dist. */
const SOURCE_ROOTS = ['apps', 'libs', 'migrations', 'tools'];
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const isTestSource = (path: string): boolean =>
  /\.spec\.ts$/.test(path) || path.startsWith('libs/testing/') || /^apps\/[^/]+\/test\//.test(path);

const run = promisify(execFile);

const newestSourceMtime = (dir: string): number => {
  let newest = 0;
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (path.endsWith('.ts') && !isTestSource(path)) newest = Math.max(newest, statSync(join(ROOT, path)).mtimeMs);
  }
  return newest;
};

const mtimeOrZero = (path: string): number => {
  try {
    return statSync(join(ROOT, path)).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * The fault tests run the shipped entry points, so dist must match the sources: rebuilds with
 * `npm run build` when any compiled source is newer than the oldest entry point.
 */
export const ensureFreshBuild = async (): Promise<{ rebuilt: boolean; ms: number }> => {
  const started = Date.now();
  const built = Math.min(...Object.values(ENTRY_POINTS).map(mtimeOrZero));
  const sources = Math.max(...SOURCE_ROOTS.map(newestSourceMtime), ...BUILD_INPUTS.map(mtimeOrZero));
  if (built > sources) return { rebuilt: false, ms: Date.now() - started };
  try {
    await run('npm', ['run', 'build'], { cwd: ROOT, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed; the fault tests need a fresh dist:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  return { rebuilt: true, ms: Date.now() - started };
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** The environment a deployment would set for this configuration (the inverse of loadRegistryConfig). */
export const registryEnv = (config: RegistryConfig, overrides: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: config.databaseUrl ?? '',
  KAFKA_BROKERS: config.kafkaBrokers?.join(',') ?? '',
  KAFKA_REQUEST_TIMEOUT_MS: String(config.kafkaRequestTimeoutMs),
  EVENTS_TOPIC: config.eventsTopic,
  SLICES_TOPIC: config.slicesTopic,
  DLQ_TOPIC: config.dlqTopic,
  EVENTS_PARTITIONS: String(config.eventsPartitions),
  PROJECTOR_GROUP_ID: config.projectorGroupId,
  MAX_ENDPOINTS_PER_SLICE: String(config.maxEndpointsPerSlice),
  PROJECTION_WAIT_MS: String(config.projectionWaitMs),
  WATCH_HISTORY: `${config.watchHistorySeconds}s`,
  WATCH_BUFFER_EVENTS: String(config.watchBufferEvents),
  WATCH_BOOKMARK_INTERVAL_MS: String(config.watchBookmarkIntervalMs),
  AUTH_MODE: 'off',
  DNS_PORT: String(config.dns.port),
  XDS_PORT: String(config.xdsPort),
  ...overrides,
});

export type Role = keyof typeof ENTRY_POINTS;

export interface LogLine {
  readonly msg?: string;
  readonly context?: string;
  readonly [field: string]: unknown;
}

const OUTPUT_LIMIT = 256 * 1024;

/** One built registry process (`--role=api`) or projector, with its output kept for assertions. */
export class BuiltProcess {
  private text = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.text = (this.text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  output(): string {
    return this.text;
  }

  /** The structured (JSON) log lines written so far. */
  logLines(): LogLine[] {
    const lines: LogLine[] = [];
    for (const line of this.text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as { message?: unknown; context?: string };
        const message = typeof parsed.message === 'object' && parsed.message !== null ? parsed.message : { msg: parsed.message };
        lines.push({ ...(message as Record<string, unknown>), context: parsed.context });
      } catch {
        // a line cut by the output limit
      }
    }
    return lines;
  }

  /** Sends the signal and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort for process exit: never leave a child behind. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

const LOG_TAIL_LINES = 40;

/** Starts built processes and guarantees that each one is gone when the test scope ends. */
export class ProcessSupervisor {
  private readonly processes = new Set<BuiltProcess>();
  /** Everything started since the last stopAll, dead or alive, for failure reports. */
  private started: BuiltProcess[] = [];
  private readonly onExit = () => {
    for (const p of this.processes) p.killNow();
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  /** Starts `role` with the environment and waits until its HTTP server answers /healthz. */
  async start(role: Role, name: string, env: Record<string, string>, readyTimeoutMs = 90_000): Promise<BuiltProcess> {
    const port = await freePort();
    const args = [ENTRY_POINTS[role], ...(role === 'api' ? ['--role=api'] : [])];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new BuiltProcess(name, port, child);
    this.processes.add(started);
    this.started.push(started);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!started.running) {
        throw new Error(`${name} (${relative(ROOT, args[0])}) exited during startup:\n${started.output().slice(-4000)}`);
      }
      const healthy = await fetch(`${started.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) return started;
      if (Date.now() > deadline) {
        throw new Error(`${name} did not answer /healthz within ${readyTimeoutMs} ms:\n${started.output().slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Runs a test body; a failure carries the last lines each process wrote, to tell why. */
  async explainFailure(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (error instanceof Error) {
        const tails = this.started.map((p) => {
          const lines = p.output().trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
          return `--- ${p.name} (pid ${p.pid}${p.running ? '' : ', exited'}), last ${LOG_TAIL_LINES} lines:\n${lines}`;
        });
        error.message += `\n\n${tails.join('\n')}`;
      }
      throw error;
    }
  }

  /** Stops every process still running (SIGKILL: cleanup must not wait on a wedged process). */
  async stopAll(): Promise<void> {
    const all = [...this.processes];
    this.processes.clear();
    this.started = [];
    await Promise.all(all.map((p) => p.kill('SIGKILL')));
  }

  async dispose(): Promise<void> {
    await this.stopAll();
    process.off('exit', this.onExit);
  }
}
