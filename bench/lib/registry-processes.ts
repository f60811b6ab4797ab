import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep } from './loops';
import { ManagedProcess, httpOk, scrape, waitUntil } from './processes';
import { freePort, postgresUrl } from './servers';

export interface RegistryDeployment {
  readonly database: string;
  readonly eventsTopic: string;
  readonly slicesTopic: string;
  readonly dlqTopic: string;
  readonly groupId: string;
  readonly token: string;
}

export interface RegistryProcessOptions {
  readonly root: string;
  readonly logDir: string;
  /** Directory for --cpu-prof output, when this process is profiled. */
  readonly cpuProfileDir?: string;
  /** Another entry point of the build (relative to root) for the API role: the front-door candidates. */
  readonly script?: string;
  /** Variables added to the deployment's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

const environment = (d: RegistryDeployment, port: number): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  PORT: String(port),
  // Several API processes run on one host; the bench measures GraphQL, not xDS.
  XDS_PORT: '0',
  DATABASE_URL: postgresUrl(d.database),
  KAFKA_BROKERS: '127.0.0.1:9092',
  EVENTS_TOPIC: d.eventsTopic,
  SLICES_TOPIC: d.slicesTopic,
  DLQ_TOPIC: d.dlqTopic,
  PROJECTOR_GROUP_ID: d.groupId,
  // Harmless before auth exists; with auth, this bootstraps the admin the bench authenticates as.
  ADMIN_TOKEN: d.token,
  // The bench measures capacity, not the per-client limiter (unknown variables are ignored by older builds).
  RATE_LIMIT_PER_SECOND: '1000000',
  // Several API processes share the host: none of them serves DNS.
  DNS_PORT: '0',
  // Requests with a traceparent (only the quiet scenario sends them) get their hops timed.
  HOP_TRACE: '1',
});

/** Applies the migrations once, so the API and projector processes never race to create tables. */
export const migrate = (root: string, d: RegistryDeployment): void => {
  execFileSync(process.execPath, [join(root, 'dist/tools/migrate.js')], { env: environment(d, 0), stdio: 'ignore', timeout: 60_000 });
};

/** Node's flags as `npm run start:api` and `npm run start:projector` give them (package.json of the registry measured). */
const nodeFlagsOf = (root: string, role: 'api' | 'projector'): string[] => {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // `node <flags> <script> <arguments>`: Node's flags are those before the script.
  const [, ...words] = (scripts[`start:${role}`] ?? '').split(/\s+/);
  const script = words.findIndex((word) => !word.startsWith('--'));
  return script === -1 ? words : words.slice(0, script);
};

export class RegistryProcess {
  private constructor(
    readonly role: 'api' | 'projector',
    readonly process: ManagedProcess,
    readonly url: string,
  ) {}

  /** `api`: dist/apps/registry (--role=api); `projector`: dist/apps/projector (serves /metrics). */
  static async start(role: 'api' | 'projector', name: string, d: RegistryDeployment, options: RegistryProcessOptions): Promise<RegistryProcess> {
    const port = await freePort();
    const script = options.script ?? (role === 'api' ? 'dist/apps/registry/src/main.js' : 'dist/apps/projector/src/main.js');
    const profiling = options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name}.cpuprofile`, '-r', join(__dirname, '..', 'exit-on-signal.js')]
      : [];
    const child = ManagedProcess.start(name, process.execPath, [...profiling, ...nodeFlagsOf(options.root, role), join(options.root, script), ...(role === 'api' ? ['--role=api'] : [])], {
      env: { ...environment(d, port), ...options.env },
      cwd: options.root,
      logFile: join(options.logDir, `${name}.log`),
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(`${name} /healthz`, () => httpOk(`${url}/healthz`), { timeoutMs: 60_000, alive: () => child.running });
    return new RegistryProcess(role, child, url);
  }

  metrics(): Promise<Map<string, number>> {
    return scrape(`${this.url}/metrics`);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

export interface ProgressSample {
  readonly t: number;
  readonly values: Map<string, number>;
}

export interface CatchUp {
  /** Lag reached 0 after progress was seen. */
  readonly caughtUp: boolean;
  /** From the last sample before any progress to the first sample at lag 0 (or the last sample). */
  readonly seconds: number;
  readonly first: Map<string, number>;
  readonly last: Map<string, number>;
  readonly samples: number;
}

/**
 * Polls a projector's /metrics every `everyMs` until registry_projector_lag_events is 0 after
 * `progress` has moved (or `timeoutMs`), and measures the window in which the work happened.
 */
export const watchCatchUp = async (
  projector: RegistryProcess,
  progress: (values: Map<string, number>) => number,
  options: { timeoutMs: number; everyMs: number },
): Promise<CatchUp> => {
  const until = performance.now() + options.timeoutMs;
  let baseline: ProgressSample | undefined;
  let start: ProgressSample | undefined;
  let last: ProgressSample | undefined;
  let samples = 0;
  for (;;) {
    const values = await projector.metrics().catch(() => undefined);
    const t = performance.now();
    if (values) {
      samples++;
      const sample = { t, values };
      baseline ??= sample;
      if (progress(values) === progress(baseline.values)) start = sample;
      last = sample;
      const lag = values.get('registry_projector_lag_events');
      if (lag === 0 && progress(values) > progress(baseline.values)) {
        const from = start ?? baseline;
        return { caughtUp: true, seconds: (t - from.t) / 1000, first: from.values, last: values, samples };
      }
      if (lag === 0 && progress(values) === progress(baseline.values) && t - baseline.t > 5000) {
        return { caughtUp: true, seconds: 0, first: values, last: values, samples };
      }
    }
    if (t >= until) {
      const from = start ?? baseline;
      return { caughtUp: false, seconds: from && last ? (last.t - from.t) / 1000 : 0, first: from?.values ?? new Map(), last: last?.values ?? new Map(), samples };
    }
    await sleep(options.everyMs);
  }
};

/** Waits until the projector has applied everything on the log (registry_projector_lag_events 0). */
export const waitForLagZero = async (projector: RegistryProcess, timeoutMs: number): Promise<{ ok: boolean; seconds: number }> => {
  const started = performance.now();
  try {
    await waitUntil('projector lag 0', async () => (await projector.metrics()).get('registry_projector_lag_events') === 0, { timeoutMs, everyMs: 200 });
    return { ok: true, seconds: (performance.now() - started) / 1000 };
  } catch {
    return { ok: false, seconds: (performance.now() - started) / 1000 };
  }
};
