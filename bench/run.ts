import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fingerprint, type Fingerprint } from './lib/fingerprint';
import { hopBreakdown, renderHops, type HopBreakdown } from './lib/hops';
import { LoadGenerator, type TaskOutcome } from './lib/loadgen-client';
import { sleep } from './lib/loops';
import { pgWaitSampler, type WaitProfile } from './lib/pg-waits';
import { cpuSeconds, machineJiffies, memoryMb, pidsWhere, rssSampler, settleWriteback } from './lib/procfs';
import { RegistryProcess, migrate, waitForLagZero, watchCatchUp, type RegistryDeployment } from './lib/registry-processes';
import { renderTable, row, type ResultRow } from './lib/report';
import {
  createDatabase,
  deleteTopics,
  dropDatabase,
  ensureEtcdInstalled,
  ensureKafka,
  ensureKafkaAgain,
  etcdFsync,
  kafkaPids,
  postgresUrl,
  postgresVersion,
  startEtcd,
  stopKafka,
  type EtcdServer,
} from './lib/servers';
import { round } from './lib/stats';

/*
 * npm run bench: etcd and raw Postgres baselines, then the registry scenarios of issue 7, all in
 * one run on one machine, reported as ratios against the baselines of the same run. Every loop
 * is bounded in count and time; the whole run is bounded by BENCH_BUDGET_SECONDS.
 */

const ROOT = resolve(__dirname, '..', '..');
/** The registry build under test (its dist/ and node_modules/): this checkout, or another one for an A/B comparison. */
const REGISTRY_ROOT = resolve(process.env.BENCH_REGISTRY_ROOT ?? ROOT);
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const SCENARIOS = ['single', 'quiet', 'slicefan', 'frontdoor', 'scale', 'bulk', 'read', 'fanout', 'subscribers', 'projector', 'replay', 'leases'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Run only when BENCH_SCENARIOS names them: the front-door A/B alone takes about 9 minutes. */
const ON_REQUEST: readonly Scenario[] = ['frontdoor'];

const env = process.env;
const selected = new Set<Scenario>(
  env.BENCH_SCENARIOS
    ? (env.BENCH_SCENARIOS.split(',').map((s) => s.trim()) as Scenario[]).filter((s) => SCENARIOS.includes(s))
    : SCENARIOS.filter((s) => !ON_REQUEST.includes(s)),
);
const runBaselines = env.BENCH_BASELINES !== '0';
/** Which registry processes run under --cpu-prof: api, projector, replay (comma-separated). */
const profiled = new Set((env.BENCH_CPU_PROF ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const BUDGET_MS = Number(env.BENCH_BUDGET_SECONDS ?? 540) * 1000;

const PARAMETERS = {
  etcd: {
    services: 200, perService: 100, putConcurrency: 64, putCount: 20_000, putDurationMs: 10_000, warmup: 1000,
    watchers: 100, watchConnections: 4, watchRate: 200, watchCount: 2000, drainMs: 5000,
    rangeConcurrency: 64, rangeCount: 20_000, rangeDurationMs: 8000,
  },
  // Issue 15: one change at a time reaching one quiet watcher; and the equal-payload fan-out, 100
  // watchers of one 100-endpoint slice at 50 changes/s (both sides for registry and etcd).
  // The quiet path is warmed first (unmeasured, its own keys), as G1 is: the changes before it take
  // other paths, and F1 would otherwise time the JIT compiling this one.
  freshness: { quietRate: 20, quietCount: 300, quietWarmupRate: 100, quietWarmupCount: 300, sliceEndpoints: 100, sliceWatchers: 100, sliceConnections: 4, sliceRate: 50, sliceCount: 500, drainMs: 5000 },
  pg: { slices: 1000, endpointsPerSlice: 100, sliceCount: 20_000, sliceDurationMs: 10_000, multiRows: 50_000, rowsPerStatement: 100, multiDurationMs: 10_000 },
  registry: {
    singleServices: 200, singleConcurrency: 64, singleCount: 20_000, singleDurationMs: 15_000, ackDurationMs: 8000, warmupCount: 20_000, warmupDurationMs: 20_000,
    bulkServices: 1000, bulkPerRequest: 100, bulkConcurrency: 8, bulkDurationMs: 12_000, fillDurationMs: 90_000, fillLagTimeoutMs: 120_000,
    readConcurrency: 64, readCount: 20_000, readDurationMs: 10_000,
    fanoutServices: 40, fanoutSubscribers: 100, fanoutRate: 200, fanoutCount: 2000, fanoutDrainMs: 15_000,
    holdSubscribers: 1000, holdSampleMs: 4000,
    // One event per slice of the 1,000: the worst case G5 names, which no coalescing can shorten.
    churnRequests: 10, churnPerRequest: 100, churnConcurrency: 4, churnDurationMs: 30_000, churnCatchUpTimeoutMs: 90_000,
    replayTimeoutMs: 60_000,
    // Issue 15: the same resolvers behind each GraphQL-over-HTTP candidate, fresh API process each,
    // rounds interleaved (A B C A B C) so that drift of the shared machine hits every candidate alike.
    doorServices: 50, doorRounds: Number(env.BENCH_FRONT_DOOR_ROUNDS ?? 3), doorIdleMs: 3000, doorConcurrency: 64, doorWarmupCount: 400, doorCount: 8000,
    doorAckMs: 6000, doorProjectionMs: 6000, doorReadMs: 5000,
    // Issue 14: the same registrations into services of 10, 10,000 and 50,000 endpoints.
    scaleSizes: [10, 10_000, 50_000], scaleFillPerRequest: 1000, scaleFillConcurrency: 2, scaleFillDurationMs: 120_000,
    scaleSingleConcurrency: 16, scaleBulkPerRequest: 20, scaleBulkConcurrency: 4, scaleDurationMs: 8000, scaleCount: 20_000,
  },
  // Issue 8: a fleet of 20,000 leased endpoints renewing every 30 s, time compressed to one window
  // of `renewWindowMs` at the fleet's rate (20,000 / 30 s); etcd keeps 20,000 leases alive at the same rate.
  leases: {
    services: 200, perService: 100, ttlSeconds: 90, renewalPeriodSeconds: 30, renewalsPerSecond: 20_000 / 30,
    // Ids per `heartbeats` request (a divisor of perService): one service's 100 by default;
    // BENCH_LEASE_IDS_PER_REQUEST=1 prices one request per endpoint, as endpoints renewing themselves would.
    renewWindowMs: 15_000, renewDrainMs: 5000, heartbeatIdsPerRequest: Number(env.BENCH_LEASE_IDS_PER_REQUEST ?? 100),
    // Before each renewal window, the same processes holding the 20,000 leases with no renewals:
    // what holding them costs (etcd's lessor; the registry's sweeper and idle loops), for the JSON.
    idleMs: 5000,
    registerConcurrency: 8, registerDurationMs: 60_000, registerLagTimeoutMs: 60_000,
    etcdSetupConcurrency: 64, etcdSetupDurationMs: 30_000,
    // Expiry: 200 endpoints (1% of the leased fleet, far below protective mode's 30%) that never
    // heartbeat, registered at 100/s so their deadlines spread over several sweeps. The registry
    // runs with the default LEASE_SWEEP_MS (1000).
    expiryServices: 20, expiryPerService: 10, expiryTtlSeconds: 2, expiryRate: 100, expiryDrainMs: 10_000, sweepMs: 1000,
  },
} as const;

const R = PARAMETERS.registry;
const L = PARAMETERS.leases;
const F = PARAMETERS.freshness;
/** One change at a time to one watcher: the pace of F1's phase and of the warm-up before it, on both sides. */
const quietPace = (rate: number, count: number) => ({ rate, count, durationMs: (1000 * count) / rate + 2000, drainMs: F.drainMs });
const QUIET = quietPace(F.quietRate, F.quietCount);
const QUIET_WARMUP = quietPace(F.quietWarmupRate, F.quietWarmupCount);
if (!Number.isInteger(L.heartbeatIdsPerRequest) || L.heartbeatIdsPerRequest < 1 || L.perService % L.heartbeatIdsPerRequest !== 0) {
  throw new Error(`BENCH_LEASE_IDS_PER_REQUEST must divide ${L.perService} (1, 2, 4, 5, 10, 20, 25, 50 or 100)`);
}
const PHASE_ETCD_KEEPALIVE = 'etcd lease keepalive, 20,000 leases, 667/s';
const PHASE_HEARTBEATS = `registry heartbeats x${L.heartbeatIdsPerRequest}, 20,000 leases, 667/s`;
const PHASE_EXPIRY = 'lease expiry -> graphql-ws not ready, 200 endpoints';
const PHASE_ETCD_IDLE = 'etcd idle, 20,000 leases held';
const PHASE_REGISTRY_IDLE = 'registry idle, 20,000 leases held';
const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
};

interface PhaseRecord {
  readonly wallSeconds: number;
  readonly machineBusyPercent: number;
  /** CPU seconds per process group over the phase (loadgen from the child's own accounting). */
  readonly cpuSeconds: Record<string, number>;
  /** Where the registry's Postgres sessions spent the phase (registry phases only). */
  readonly postgresWaits?: WaitProfile;
}

interface Results {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  totalSeconds?: number;
  complete: boolean;
  fingerprint?: Fingerprint;
  parameters: typeof PARAMETERS;
  scenarios: Scenario[];
  baselines: Record<string, unknown>;
  registry: Record<string, unknown>;
  phases: Record<string, PhaseRecord>;
  rows: ResultRow[];
  errors: string[];
  logDir?: string;
  profiles?: string[];
}

const now = new Date();
const runId = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase(); // 20251126t141230z
const results: Results = {
  runId,
  startedAt: now.toISOString(),
  complete: false,
  parameters: PARAMETERS,
  scenarios: [...selected],
  baselines: {},
  registry: {},
  phases: {},
  rows: [],
  errors: [],
};

const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
const onCleanup = (name: string, run: () => Promise<void> | void) => cleanups.push({ name, run });
const runCleanups = async (): Promise<void> => {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) {
    try {
      await c.run();
    } catch (error) {
      log(`cleanup ${c.name} failed: ${(error as Error).message}`);
    }
  }
};

// Processes whose CPU each phase accounts for.
let loadgen: LoadGenerator | undefined;
let etcd: EtcdServer | undefined;
let api: RegistryProcess | undefined;
let projector: RegistryProcess | undefined;
let replayProjector: RegistryProcess | undefined;
/** The front-door candidate under measurement (scenario frontdoor). */
let candidate: RegistryProcess | undefined;

const trackedPids = (): Record<string, number[]> => ({
  etcd: etcd?.process.running ? [etcd.process.pid] : [],
  api: api?.process.running ? [api.process.pid] : [],
  projector: projector?.process.running ? [projector.process.pid] : [],
  replayProjector: replayProjector?.process.running ? [replayProjector.process.pid] : [],
  frontdoor: candidate?.process.running ? [candidate.process.pid] : [],
  kafka: kafkaPids(ROOT),
  postgres: pidsWhere((comm) => comm === 'postgres'),
});

const cpuSnapshot = (): Map<string, Map<number, number>> =>
  new Map(Object.entries(trackedPids()).map(([name, pids]) => [name, new Map(pids.map((pid) => [pid, cpuSeconds(pid) ?? 0]))]));

/** Databases whose sessions are sampled during phases (the registry's). */
const sampledDatabases: string[] = [];

/**
 * Runs one measured phase and records wall time, machine load, CPU per process group and Postgres
 * waits. `postgresWaits: false` for a phase whose Postgres CPU is the figure: the sampler's 20
 * queries/s would be charged to it.
 */
const phase = async <T>(name: string, work: () => Promise<T>, options: { postgresWaits?: boolean } = {}): Promise<T> => {
  log(`${name}...`);
  const waits = options.postgresWaits === false ? [] : await Promise.all(sampledDatabases.map((db) => pgWaitSampler(db)));
  const before = cpuSnapshot();
  const jiffies = machineJiffies();
  const loadgenCpu = loadgen?.cpuTotal ?? 0;
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    const after = cpuSnapshot();
    const cpu: Record<string, number> = { loadgen: round((loadgen?.cpuTotal ?? 0) - loadgenCpu) };
    for (const [group, pids] of after) {
      let total = 0;
      for (const [pid, seconds] of pids) total += seconds - (before.get(group)?.get(pid) ?? 0);
      if (total > 0) cpu[group] = round(total);
    }
    const j = machineJiffies();
    const wallSeconds = round((performance.now() - t0) / 1000);
    const postgresWaits = waits.length ? await waits[waits.length - 1].stop() : undefined;
    for (const w of waits.slice(0, -1)) await w.stop();
    results.phases[name] = {
      wallSeconds,
      machineBusyPercent: round((100 * (j.busy - jiffies.busy)) / Math.max(1, j.total - jiffies.total), 1),
      cpuSeconds: cpu,
      postgresWaits,
    };
  }
};

const lg = (): LoadGenerator => {
  if (!loadgen) throw new Error('load generator not started');
  return loadgen;
};

const loadgenCpuOf = (outcome: TaskOutcome<unknown>) => round(outcome.cpu.user + outcome.cpu.system);

/** CPU microseconds per operation of the named process groups over a recorded phase. */
const cpuPerOperationUs = (phaseName: string, groups: readonly string[], operations: number): number | null => {
  const cpu = results.phases[phaseName]?.cpuSeconds;
  if (!cpu || operations <= 0) return null;
  return round((1e6 * groups.reduce((sum, g) => sum + (cpu[g] ?? 0), 0)) / operations, 1);
};

/** The same, less the groups' CPU rate of an idle phase over the phase's wall time: the marginal cost. */
const cpuAboveIdleUs = (phaseName: string, idleName: string, groups: readonly string[], operations: number): number | null => {
  const busy = results.phases[phaseName];
  const idle = results.phases[idleName];
  if (!busy || !idle || idle.wallSeconds <= 0 || operations <= 0) return null;
  const sum = (p: PhaseRecord) => groups.reduce((total, g) => total + (p.cpuSeconds[g] ?? 0), 0);
  return round((1e6 * (sum(busy) - (sum(idle) * busy.wallSeconds) / idle.wallSeconds)) / operations, 1);
};

// ---------------------------------------------------------------- baselines

const etcdBaselines = async (tmp: string, logDir: string): Promise<void> => {
  ensureEtcdInstalled(log);
  etcd = await startEtcd(join(tmp, 'etcd-data'), join(logDir, 'etcd.log'));
  const server = etcd;
  onCleanup('etcd', () => server.process.stop());
  const E = PARAMETERS.etcd;
  const prefix = `/bench/${runId}`;

  const fsync0 = await etcdFsync(server);
  const put = await phase('etcd put c64', () =>
    lg().run('etcdPut', {
      endpoint: server.endpoint, prefix, services: E.services, perService: E.perService,
      concurrency: E.putConcurrency, count: E.putCount, durationMs: E.putDurationMs, warmup: E.warmup,
    }),
  );
  const fsync1 = await etcdFsync(server);
  results.baselines.etcdPut = {
    ...put.result,
    loadgenCpuSeconds: loadgenCpuOf(put),
    walFsyncs: fsync1.count - fsync0.count,
    walFsyncMeanMs: round((1000 * (fsync1.sumSeconds - fsync0.sumSeconds)) / Math.max(1, fsync1.count - fsync0.count), 3),
  };

  const watch = await phase('etcd put->watch, 100 watchers', () =>
    lg().run('etcdWatch', {
      endpoint: server.endpoint, prefix: `/watch/${runId}`, watchers: E.watchers, connections: E.watchConnections,
      rate: E.watchRate, count: E.watchCount, durationMs: (1000 * E.watchCount) / E.watchRate + 2000, drainMs: E.drainMs,
    }),
  );
  results.baselines.etcdWatch = { ...watch.result, loadgenCpuSeconds: loadgenCpuOf(watch) };

  if (selected.has('quiet')) {
    const oneWatcher = { endpoint: server.endpoint, watchers: 1, connections: 1 };
    await lg().run('etcdWatch', { ...oneWatcher, prefix: `/quiet-warmup/${runId}`, ...QUIET_WARMUP });
    // F1 is one change at a time on an idle machine, on both sides (see settleWriteback).
    const writtenBackMb = settleWriteback();
    const quiet = await phase('etcd put->watch, 1 quiet watcher', () => lg().run('etcdWatch', { ...oneWatcher, prefix: `/quiet/${runId}`, ...QUIET }));
    results.baselines.etcdQuiet = { ...quiet.result, loadgenCpuSeconds: loadgenCpuOf(quiet), writtenBackMb };
  }
  if (selected.has('slicefan')) {
    const fan = await phase('etcd put->watch of one 100-endpoint slice, 100 watchers, 50/s', () =>
      lg().run('etcdWatch', {
        endpoint: server.endpoint, prefix: `/slicefan/${runId}`, watchers: F.sliceWatchers, connections: F.sliceConnections,
        rate: F.sliceRate, count: F.sliceCount, durationMs: (1000 * F.sliceCount) / F.sliceRate + 2000, drainMs: F.drainMs, sliceEndpoints: F.sliceEndpoints,
      }),
    );
    results.baselines.etcdSliceFanout = { ...fan.result, loadgenCpuSeconds: loadgenCpuOf(fan) };
  }

  const fullServices = Math.max(1, Math.floor((put.result.ops - E.putConcurrency) / E.perService));
  const range = await phase('etcd range of 100 keys c64', () =>
    lg().run('etcdRange', {
      endpoint: server.endpoint, prefix, services: Math.min(E.services, fullServices), perService: E.perService,
      concurrency: E.rangeConcurrency, count: E.rangeCount, durationMs: E.rangeDurationMs,
    }),
  );
  results.baselines.etcdRange = { ...range.result, loadgenCpuSeconds: loadgenCpuOf(range) };

  // Leases (issue 8): 20,000 leases with a key each, kept alive at the fleet's rate over one stream.
  if (selected.has('leases')) {
    const setup = await phase('etcd lease grant + put with lease c64 (20,000)', () =>
      lg().run('etcdLeaseSetup', {
        endpoint: server.endpoint, prefix: `/lease/${runId}`, services: L.services, perService: L.perService, ttlSeconds: L.ttlSeconds,
        concurrency: L.etcdSetupConcurrency, durationMs: L.etcdSetupDurationMs,
      }),
    );
    await phase(PHASE_ETCD_IDLE, () => sleep(L.idleMs));
    const keepalive = await phase(PHASE_ETCD_KEEPALIVE, () =>
      lg().run('etcdLeaseKeepAlive', {
        rate: L.renewalsPerSecond, count: Math.round((L.renewalsPerSecond * L.renewWindowMs) / 1000), durationMs: L.renewWindowMs, drainMs: L.renewDrainMs,
      }),
    );
    results.baselines.etcdLeases = {
      setup: setup.result,
      keepalive: keepalive.result,
      etcdCpuUsPerKeepalive: cpuPerOperationUs(PHASE_ETCD_KEEPALIVE, ['etcd'], keepalive.result.renewed),
      etcdCpuUsPerKeepaliveAboveIdle: cpuAboveIdleUs(PHASE_ETCD_KEEPALIVE, PHASE_ETCD_IDLE, ['etcd'], keepalive.result.renewed),
      loadgenCpuUsPerKeepalive: keepalive.result.renewed > 0 ? round((1e6 * loadgenCpuOf(keepalive)) / keepalive.result.renewed, 1) : null,
      loadgenCpuSeconds: loadgenCpuOf(keepalive),
    };
  }
  results.baselines.etcdMemory = memoryMb(server.process.pid);
  await server.process.stop();
  etcd = undefined;
};

const postgresBaselines = async (database: string): Promise<void> => {
  const G = PARAMETERS.pg;
  const slice = await phase('raw pg slice upsert, sequential', () =>
    lg().run('pgSliceUpsert', { url: postgresUrl(database), slices: G.slices, endpointsPerSlice: G.endpointsPerSlice, count: G.sliceCount, durationMs: G.sliceDurationMs }),
  );
  results.baselines.pgSliceUpsert = { ...slice.result, loadgenCpuSeconds: loadgenCpuOf(slice) };
  const multi = await phase('raw pg 100-row multi-row upsert, sequential', () =>
    lg().run('pgMultiRowUpsert', { url: postgresUrl(database), rows: G.multiRows, rowsPerStatement: G.rowsPerStatement, durationMs: G.multiDurationMs }),
  );
  results.baselines.pgMultiRowUpsert = { ...multi.result, loadgenCpuSeconds: loadgenCpuOf(multi) };
};

// ---------------------------------------------------------------- registry

const sliceWritesPerEvent = (before: Map<string, number>, after: Map<string, number>) => {
  const events = (after.get('registry_projector_applied_events_total') ?? 0) - (before.get('registry_projector_applied_events_total') ?? 0);
  const writes = (after.get('registry_projector_slice_writes_total') ?? 0) - (before.get('registry_projector_slice_writes_total') ?? 0);
  const batches = (after.get('registry_projector_batches_total') ?? 0) - (before.get('registry_projector_batches_total') ?? 0);
  const batchSeconds = (after.get('registry_projector_batch_seconds_total') ?? 0) - (before.get('registry_projector_batch_seconds_total') ?? 0);
  return {
    events,
    sliceWrites: writes,
    writesPerEvent: events > 0 ? round(writes / events, 3) : null,
    batches,
    eventsPerBatch: batches > 0 ? round(events / batches, 1) : null,
    meanBatchMs: batches > 0 ? round((1000 * batchSeconds) / batches, 1) : null,
  };
};

/**
 * Issue 15: GraphQL over HTTP served by each candidate, same resolvers, same database and topics.
 * `apollo` is today's Apollo + Express path; `direct` the prepared-document handler on Express
 * (GRAPHQL_HTTP_PIPELINE=direct); `mercurius` Mercurius + Fastify with graphql-jit (the
 * registry's module behind tools/front-door/mercurius-api.ts).
 */
const FRONT_DOORS = [
  { name: 'apollo', env: { GRAPHQL_HTTP_PIPELINE: 'apollo' } },
  { name: 'direct', env: { GRAPHQL_HTTP_PIPELINE: 'direct' } },
  { name: 'mercurius', script: 'dist/tools/front-door/mercurius-api.js', env: {} },
] as const;
const DOOR_OPERATIONS = ['registerEndpoint ack', 'registerEndpoint projection', 'endpointSlices'] as const;
type DoorOperation = (typeof DOOR_OPERATIONS)[number];

interface DoorFigure {
  readonly cpuUsPerRequest: number | null;
  readonly cpuUsPerRequestAboveIdle: number | null;
  readonly p99Ms: number;
  readonly rate: number;
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
}

const frontDoorScenario = async (
  deployment: RegistryDeployment,
  processOptions: { root: string; logDir: string; cpuProfileDir?: string },
  setup: { url: string; token: string },
): Promise<void> => {
  const namespace = 'bench-door';
  // Services 0..doorServices-1 take the registrations; service doorServices, 100 endpoints, is the read target (as G10 reads).
  const readService = R.doorServices;
  await lg().run('registerServices', { ...setup, namespace, first: 0, count: R.doorServices + 1, concurrency: 16, wait: 'projection' });
  await lg().run('registerBulk', { ...setup, namespace, serviceIndexes: [readService], perRequest: 100, addressBlock: 12, concurrency: 1, durationMs: 30_000, wait: 'projection' });
  const figures: Record<string, Record<DoorOperation, DoorFigure[]>> = {};
  const median = (values: readonly number[]): number | null => {
    const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
    if (!sorted.length) return null;
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : round((sorted[middle - 1] + sorted[middle]) / 2);
  };
  /** Medians so far, kept in the results after each candidate, so that a run cut short still reports them. */
  const summarize = (): void => {
    results.registry.frontDoor = Object.fromEntries(
      Object.entries(figures).map(([door, byOperation]) => [
        door,
        Object.fromEntries(
          Object.entries(byOperation).map(([operation, runs]) => [
            operation,
            {
              cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest ?? NaN)),
              cpuUsPerRequestAboveIdle: median(runs.map((r) => r.cpuUsPerRequestAboveIdle ?? NaN)),
              p99Ms: median(runs.map((r) => r.p99Ms)),
              rate: median(runs.map((r) => r.rate)),
              errors: runs.reduce((n, r) => n + r.errors, 0),
              runs,
            },
          ]),
        ),
      ]),
    );
  };
  let run = 0;
  const doors = FRONT_DOORS.filter((d) => !env.BENCH_FRONT_DOORS || env.BENCH_FRONT_DOORS.split(',').includes(d.name));
  for (let pass = 0; pass < R.doorRounds; pass++) {
    for (const door of doors) {
      await ensureKafkaAgain(ROOT, log);
      candidate = await RegistryProcess.start('api', `frontdoor-${door.name}-${pass}`, deployment, {
        ...processOptions,
        script: 'script' in door ? door.script : undefined,
        env: door.env,
      });
      const target = { url: candidate.url, token: deployment.token };
      try {
        const single = (wait: 'ack' | 'projection', durationMs: number, count: number) =>
          lg().run('registerSingle', {
            ...target, namespace, services: R.doorServices, addressBlock: 13, firstIndex: 8192 * run++,
            concurrency: R.doorConcurrency, count, durationMs, wait,
          });
        const read = (durationMs: number, count: number) =>
          lg().run('readSlices', { ...target, namespace, serviceIndexes: [readService], expectEndpoints: 100, concurrency: R.doorConcurrency, count, durationMs });
        // Warm-up: the JIT, the document caches, the connection pools.
        await single('ack', 10_000, R.doorWarmupCount);
        await read(10_000, R.doorWarmupCount);
        // What the process burns with no request (change feed, revocation poll, Kafka and Postgres clients): the JSON also gives the CPU above it.
        const idleName = `front door ${door.name} round ${pass + 1}: idle`;
        await phase(idleName, () => sleep(R.doorIdleMs));
        const measured: [DoorOperation, () => Promise<{ result: LoopResultLike }>][] = [
          ['registerEndpoint ack', () => single('ack', R.doorAckMs, R.doorCount)],
          ['registerEndpoint projection', () => single('projection', R.doorProjectionMs, R.doorCount)],
          ['endpointSlices', () => read(R.doorReadMs, R.doorCount)],
        ];
        for (const [operation, measure] of measured) {
          const name = `front door ${door.name} round ${pass + 1}: ${operation} c${R.doorConcurrency}`;
          const outcome = await phase(name, measure);
          const requests = outcome.result.ops + outcome.result.errors;
          ((figures[door.name] ??= {} as Record<DoorOperation, DoorFigure[]>)[operation] ??= []).push({
            cpuUsPerRequest: cpuPerOperationUs(name, ['frontdoor'], requests),
            cpuUsPerRequestAboveIdle: cpuAboveIdleUs(name, idleName, ['frontdoor'], requests),
            p99Ms: outcome.result.latencyMs.p99,
            rate: round(outcome.result.rate),
            ops: outcome.result.ops,
            errors: outcome.result.errors,
            ...(outcome.result.firstError && { firstError: outcome.result.firstError }),
          });
        }
      } finally {
        summarize();
        await candidate.stop();
        candidate = undefined;
      }
      await waitForLagZero(projector as RegistryProcess, 60_000);
    }
  }
};

interface LoopResultLike {
  readonly ops: number;
  readonly errors: number;
  readonly rate: number;
  readonly latencyMs: { readonly p99: number };
  readonly firstError?: string;
}

const registryScenarios = async (deployment: RegistryDeployment, replayDeployment: RegistryDeployment, logDir: string, profileDir: string): Promise<void> => {
  const options = (role: string) => ({ root: REGISTRY_ROOT, logDir, cpuProfileDir: profiled.has(role) ? profileDir : undefined });
  const start = async (role: 'api' | 'projector', name: string, d: RegistryDeployment, profileAs: string): Promise<RegistryProcess> => {
    await ensureKafkaAgain(ROOT, log);
    return RegistryProcess.start(role, name, d, options(profileAs));
  };
  migrate(REGISTRY_ROOT, deployment);
  projector = await start('projector', 'projector', deployment, 'projector');
  onCleanup('projector', () => projector?.stop());
  api = await start('api', 'api', deployment, 'api');
  onCleanup('api', () => api?.stop());
  let target = { url: api.url, token: deployment.token };
  /** With BENCH_CPU_PROF=api each API scenario runs on a fresh API process, so it gets a profile of its own. */
  const profileApiAs = async (name: string): Promise<void> => {
    if (!profiled.has('api')) return;
    await api?.stop();
    api = await start('api', `api-${name}`, deployment, 'api');
    target = { url: api.url, token: deployment.token };
  };
  const main = () => projector as RegistryProcess;
  sampledDatabases.push(deployment.database);

  // R1: registerEndpoint, 64 in flight, each acknowledged after projection.
  if (selected.has('single')) {
    // Warm-up, as etcd gets one: the first minute after a start measures the JITs of Node and of the
    // JVM broker, not the registry. Its own namespace, so G1 starts from the same empty services.
    // 20 s: after 10 s (6,000 registrations) a broker started just before the run still spent
    // 0.57 ms of CPU per G1 registration, against 0.13-0.16 ms once warm.
    await lg().run('registerServices', { ...target, namespace: 'bench-warmup', first: 0, count: R.singleServices, concurrency: 32, wait: 'projection' });
    await lg().run('registerSingle', {
      ...target, namespace: 'bench-warmup', services: R.singleServices, addressBlock: 14,
      concurrency: R.singleConcurrency, count: R.warmupCount, durationMs: R.warmupDurationMs, wait: 'projection',
    });
    await waitForLagZero(main(), 30_000);
    await lg().run('registerServices', { ...target, namespace: 'bench-single', first: 0, count: R.singleServices, concurrency: 32, wait: 'projection' });
    await profileApiAs('single');
    const before = await main().metrics();
    const single = await phase('registry registerEndpoint c64 (after projection)', () =>
      lg().run('registerSingle', {
        ...target, namespace: 'bench-single', services: R.singleServices, addressBlock: 1,
        concurrency: R.singleConcurrency, count: R.singleCount, durationMs: R.singleDurationMs, wait: 'projection',
      }),
    );
    const lag = await waitForLagZero(main(), 30_000);
    results.registry.single = {
      ...single.result,
      confirmedPerSecond: (single.result.ops - single.result.unconfirmed) / single.result.seconds,
      loadgenCpuSeconds: loadgenCpuOf(single),
      projection: sliceWritesPerEvent(before, await main().metrics()),
      drainedAfterSeconds: round(lag.seconds),
    };
    // Diagnostic (no goal): the same mutations returning on Kafka's ack, to separate the API + Kafka
    // path from the wait for the projection.
    const ack = await phase('diagnostic: registerEndpoint c64, ack only', () =>
      lg().run('registerSingle', {
        ...target, namespace: 'bench-single', services: R.singleServices, addressBlock: 5,
        concurrency: R.singleConcurrency, count: R.singleCount, durationMs: R.ackDurationMs, wait: 'ack',
      }),
    );
    await waitForLagZero(main(), 60_000);
    results.registry.singleAck = { ...ack.result, loadgenCpuSeconds: loadgenCpuOf(ack) };
  }

  // R10 (issue 15): one mutation at a time reaching one quiet subscriber.
  if (selected.has('quiet')) {
    for (const namespace of ['bench-quiet-warmup', 'bench-quiet']) {
      await lg().run('registerServices', { ...target, namespace, first: 0, count: 1, concurrency: 1, wait: 'projection' });
    }
    await profileApiAs('quiet');
    const oneSubscriber = { ...target, services: 1, subscribers: 1, readyTimeoutMs: 30_000, wait: 'projection' as const };
    await lg().run('fanout', { ...oneSubscriber, namespace: 'bench-quiet-warmup', addressBlock: 15, ...QUIET_WARMUP });
    const writtenBackMb = settleWriteback();
    const quiet = await phase('registry mutation->graphql-ws, 1 quiet subscriber', () =>
      lg().run('fanout', { ...oneSubscriber, namespace: 'bench-quiet', addressBlock: 10, ...QUIET, traceHops: true }),
    );
    const { hops, ...figures } = quiet.result;
    results.registry.quiet = {
      ...figures,
      hops: hopBreakdown(hops ?? [], [(api as RegistryProcess).process.logFile, main().process.logFile]),
      loadgenCpuSeconds: loadgenCpuOf(quiet),
      writtenBackMb,
    };
  }

  // R11 (issue 15): the equal-payload fan-out, 100 subscribers of one 100-endpoint slice.
  if (selected.has('slicefan')) {
    await lg().run('registerServices', { ...target, namespace: 'bench-slicefan', first: 0, count: 1, concurrency: 1, wait: 'projection' });
    await lg().run('registerInto', {
      ...target, namespace: 'bench-slicefan', service: 0, addressBlock: 11, firstIndex: 0, perRequest: F.sliceEndpoints,
      concurrency: 1, count: 1, durationMs: 30_000, wait: 'projection',
    });
    await profileApiAs('slicefan');
    const fan = await phase('registry mutation->graphql-ws of one 100-endpoint slice, 100 subscribers, 50/s', () =>
      lg().run('fanout', {
        ...target, namespace: 'bench-slicefan', services: 1, subscribers: F.sliceWatchers, addressBlock: 11, rewriteEndpoints: F.sliceEndpoints,
        rate: F.sliceRate, count: F.sliceCount, durationMs: (1000 * F.sliceCount) / F.sliceRate + 2000,
        drainMs: F.drainMs, readyTimeoutMs: 30_000, wait: 'projection',
      }),
    );
    results.registry.sliceFanout = { ...fan.result, loadgenCpuSeconds: loadgenCpuOf(fan) };
  }

  if (selected.has('frontdoor')) await frontDoorScenario(deployment, options('frontdoor'), target);

  // R9 (issue 14): a registration's cost must follow the change, not the service's size.
  if (selected.has('scale')) {
    await lg().run('registerServices', { ...target, namespace: 'bench-scale', first: 0, count: R.scaleSizes.length, concurrency: 4, wait: 'projection' });
    const scale: Record<string, unknown> = {};
    for (const [service, size] of R.scaleSizes.entries()) {
      const block = 9 + service;
      const fillRss = rssSampler(main().process.pid);
      await phase(`fill bench-scale service of ${size} endpoints (ack)`, async () => {
        await lg().run('registerInto', {
          ...target, namespace: 'bench-scale', service, addressBlock: block, firstIndex: 0, perRequest: Math.min(size, R.scaleFillPerRequest),
          concurrency: R.scaleFillConcurrency, count: Math.ceil(size / R.scaleFillPerRequest), durationMs: R.scaleFillDurationMs, wait: 'ack',
        });
        await waitForLagZero(main(), R.fillLagTimeoutMs);
      });
      const into = (label: string, perRequest: number, concurrency: number, firstIndex: number) =>
        phase(`registry ${label} into a service of ${size} endpoints (after projection)`, () =>
          lg().run('registerInto', {
            ...target, namespace: 'bench-scale', service, addressBlock: block, firstIndex, perRequest,
            concurrency, count: R.scaleCount, durationMs: R.scaleDurationMs, wait: 'projection',
          }),
        );
      const single = await into('registerEndpoint c16', 1, R.scaleSingleConcurrency, 1 << 16);
      const peakSampledRssMb = fillRss.stop();
      await waitForLagZero(main(), 30_000);
      const bulk = await into(`registerEndpoints x${R.scaleBulkPerRequest} c4`, R.scaleBulkPerRequest, R.scaleBulkConcurrency, 2 << 16);
      await waitForLagZero(main(), 30_000);
      scale[size] = {
        single: { ...single.result, confirmedPerSecond: (single.result.ops - single.result.unconfirmed) / single.result.seconds },
        bulk: { ...bulk.result, confirmedEndpointsPerSecond: ((bulk.result.ops - bulk.result.unconfirmed) * R.scaleBulkPerRequest) / bulk.result.seconds },
        projectorMemory: { peakSampledRssMb, ...memoryMb(main().process.pid) },
      };
    }
    results.registry.scale = scale;
  }

  // R2: registerEndpoints, 100 new endpoints of one service per request; then fill to 1,000 x 100.
  const fillNeeded = ['bulk', 'read', 'subscribers', 'projector'].some((s) => selected.has(s as Scenario));
  let filled: number[] = [];
  if (fillNeeded) {
    await lg().run('registerServices', { ...target, namespace: 'bench-bulk', first: 0, count: R.bulkServices, concurrency: 32, wait: 'ack' });
    await waitForLagZero(main(), 60_000);
    const all = Array.from({ length: R.bulkServices }, (_, i) => i);
    if (selected.has('bulk')) {
      await profileApiAs('bulk');
      const before = await main().metrics();
      const bulk = await phase('registry registerEndpoints x100 (after projection)', () =>
        lg().run('registerBulk', {
          ...target, namespace: 'bench-bulk', serviceIndexes: all, perRequest: R.bulkPerRequest, addressBlock: 2,
          concurrency: R.bulkConcurrency, durationMs: R.bulkDurationMs, wait: 'projection',
        }),
      );
      filled = bulk.result.completed;
      await waitForLagZero(main(), 30_000);
      const { completed: _completed, ...figures } = bulk.result;
      results.registry.bulk = {
        ...figures,
        confirmedEndpointsPerSecond: ((bulk.result.ops - bulk.result.unconfirmed) * R.bulkPerRequest) / bulk.result.seconds,
        loadgenCpuSeconds: loadgenCpuOf(bulk),
        projection: sliceWritesPerEvent(before, await main().metrics()),
      };
    }
    const done = new Set(filled);
    const rest = all.filter((i) => !done.has(i));
    const fillRss = rssSampler(main().process.pid);
    const fill = await phase('fill to 100,000 endpoints in 1,000 services (ack)', async () => {
      const outcome = rest.length
        ? await lg().run('registerBulk', {
            ...target, namespace: 'bench-bulk', serviceIndexes: rest, perRequest: R.bulkPerRequest, addressBlock: 2,
            concurrency: R.bulkConcurrency, durationMs: R.fillDurationMs, wait: 'ack',
          })
        : undefined;
      const lag = await waitForLagZero(main(), R.fillLagTimeoutMs);
      return { outcome, lag };
    });
    filled = [...filled, ...(fill.outcome?.result.completed ?? [])].sort((a, b) => a - b);
    await sleep(1000);
    results.registry.projectorMemory = {
      peakSampledRssMb: fillRss.stop(),
      endpoints: filled.length * R.bulkPerRequest,
      services: filled.length,
      caughtUp: fill.lag.ok,
      ackEndpointsPerSecond: fill.outcome ? round(fill.outcome.result.endpointsPerSecond) : null,
      fillErrors: fill.outcome?.result.errors ?? 0,
      fillFirstError: fill.outcome?.result.firstError,
      ...memoryMb(main().process.pid),
    };
    results.registry.apiMemoryAfterFill = memoryMb((api as RegistryProcess).process.pid);
  }

  // R6: endpointSlices for one service of 100 endpoints, 64 in flight.
  if (selected.has('read')) {
    await profileApiAs('read');
    const read = await phase('registry endpointSlices (100 endpoints) c64', () =>
      lg().run('readSlices', {
        ...target, namespace: 'bench-bulk', serviceIndexes: filled, expectEndpoints: R.bulkPerRequest,
        concurrency: R.readConcurrency, count: R.readCount, durationMs: R.readDurationMs,
      }),
    );
    results.registry.read = { ...read.result, loadgenCpuSeconds: loadgenCpuOf(read) };
  }

  // R3: mutation -> graphql-ws event, open loop 200/s, 100 subscribers.
  if (selected.has('fanout')) {
    await lg().run('registerServices', { ...target, namespace: 'bench-fanout', first: 0, count: R.fanoutServices, concurrency: 8, wait: 'projection' });
    await lg().run('registerSingle', {
      ...target, namespace: 'bench-fanout', services: R.fanoutServices, addressBlock: 6,
      concurrency: 8, count: R.fanoutServices, durationMs: 60_000, wait: 'projection',
    });
    await profileApiAs('fanout');
    const fan = await phase('registry mutation->graphql-ws, 100 subscribers, 200/s', () =>
      lg().run('fanout', {
        ...target, namespace: 'bench-fanout', services: R.fanoutServices, subscribers: R.fanoutSubscribers, addressBlock: 7,
        rate: R.fanoutRate, count: R.fanoutCount, durationMs: (1000 * R.fanoutCount) / R.fanoutRate + 2000,
        drainMs: R.fanoutDrainMs, readyTimeoutMs: 30_000, wait: 'projection',
      }),
    );
    results.registry.fanout = { ...fan.result, loadgenCpuSeconds: loadgenCpuOf(fan) };
  }

  // R7: API memory with 1,000 subscribers.
  if (selected.has('subscribers')) {
    await profileApiAs('subscribers');
    const apiProcess = api as RegistryProcess;
    const before = memoryMb(apiProcess.process.pid);
    const hold = await phase('registry API with 1,000 subscribers', async () => {
      const opened = await lg().run('holdSubscribers', {
        ...target, namespace: 'bench-bulk', serviceIndexes: filled.length ? filled : [0], subscribers: R.holdSubscribers, readyTimeoutMs: 60_000,
      });
      let peak = 0;
      const until = performance.now() + R.holdSampleMs;
      while (performance.now() < until) {
        peak = Math.max(peak, memoryMb(apiProcess.process.pid)?.rssMb ?? 0);
        await sleep(250);
      }
      const released = await lg().run('releaseSubscribers', undefined);
      return { opened: opened.result, released: released.result, peakRssMb: peak };
    });
    results.registry.apiMemory = { before, ...hold, after: memoryMb(apiProcess.process.pid) };
  }

  // R4: projector slice writes/s when every event changes a different slice (backlog applied by a restarted projector).
  if (selected.has('projector')) {
    await waitForLagZero(main(), 30_000);
    await main().stop();
    const produced = await phase('churn backlog (projector stopped, ack)', () =>
      lg().run('churn', {
        ...target, namespace: 'bench-bulk', services: Math.max(1, filled.length), perService: R.bulkPerRequest, addressBlock: 2,
        perRequest: R.churnPerRequest, requests: R.churnRequests, concurrency: R.churnConcurrency, durationMs: R.churnDurationMs,
      }),
    );
    projector = await start('projector', 'projector-restarted', deployment, 'projector');
    const churnRss = rssSampler(main().process.pid);
    const catchUp = await phase('projector applies the churn backlog', () =>
      watchCatchUp(main(), (v) => v.get('registry_projector_slice_writes_total') ?? 0, { timeoutMs: R.churnCatchUpTimeoutMs, everyMs: 200 }),
    );
    const peakSampledRssMb = churnRss.stop();
    const stats = sliceWritesPerEvent(catchUp.first, catchUp.last);
    results.registry.projector = {
      backlogEvents: produced.result.endpoints,
      produceErrors: produced.result.errors,
      produceFirstError: produced.result.firstError,
      caughtUp: catchUp.caughtUp,
      seconds: round(catchUp.seconds),
      sliceWritesPerSecond: catchUp.seconds > 0 ? stats.sliceWrites / catchUp.seconds : null,
      eventsPerSecond: catchUp.seconds > 0 ? stats.events / catchUp.seconds : null,
      ...stats,
      memory: { ...memoryMb(main().process.pid), peakSampledRssMb },
    };
  }

  // R5: replay the whole events topic from offset 0 into a fresh database with a fresh group.
  if (selected.has('replay')) {
    await waitForLagZero(main(), 30_000);
    migrate(REGISTRY_ROOT, replayDeployment);
    let replayRss: { stop: () => number } | undefined;
    sampledDatabases.push(replayDeployment.database);
    const replay = await phase('replay from offset 0 (fresh group and database)', async () => {
      replayProjector = await start('projector', 'projector-replay', replayDeployment, 'replay');
      replayRss = rssSampler(replayProjector.process.pid);
      const progress = (v: Map<string, number>) => (v.get('registry_projector_applied_events_total') ?? 0) + (v.get('registry_projector_dead_lettered_events_total') ?? 0);
      return watchCatchUp(replayProjector, progress, { timeoutMs: R.replayTimeoutMs, everyMs: 200 });
    });
    const stats = sliceWritesPerEvent(replay.first, replay.last);
    const replayed = replayProjector as RegistryProcess;
    results.registry.replay = {
      caughtUp: replay.caughtUp,
      seconds: round(replay.seconds),
      eventsPerSecond: replay.seconds > 0 ? stats.events / replay.seconds : null,
      remainingLag: replay.last.get('registry_projector_lag_events') ?? null,
      ...stats,
      memory: { ...memoryMb(replayed.process.pid), peakSampledRssMb: replayRss?.stop() ?? null },
    };
    await replayed.stop();
    replayProjector = undefined;
    sampledDatabases.pop();
  }

  // R8 (issue 8): lease renewals and expiry. Last, so its 20,000 leases (ttl 90 s) never lapse
  // under another scenario and the replay above does not carry its events.
  if (selected.has('leases')) {
    await waitForLagZero(main(), 30_000);
    const services = Array.from({ length: L.services }, (_, i) => i);
    await lg().run('registerServices', { ...target, namespace: 'bench-leases', first: 0, count: L.services, concurrency: 32, wait: 'ack' });
    const fleet = await phase('register 20,000 leased endpoints, ttl 90 s (ack)', async () => {
      const outcome = await lg().run('registerLeased', {
        ...target, namespace: 'bench-leases', serviceIndexes: services, perService: L.perService, addressBlock: 8,
        ttlSeconds: L.ttlSeconds, concurrency: L.registerConcurrency, durationMs: L.registerDurationMs,
      });
      // A lease exists once its registration is projected: heartbeats before that are NOT_FOUND.
      const lag = await waitForLagZero(main(), L.registerLagTimeoutMs);
      return { outcome, lag };
    });
    await profileApiAs('leases');
    await phase(PHASE_REGISTRY_IDLE, () => sleep(L.idleMs), { postgresWaits: false });
    const renew = await phase(PHASE_HEARTBEATS, () =>
      lg().run('heartbeatLoop', {
        ...target, namespace: 'bench-leases', serviceIndexes: fleet.outcome.result.completed, perService: L.perService,
        idsPerRequest: L.heartbeatIdsPerRequest, addressBlock: 8,
        rate: L.renewalsPerSecond, count: Math.round((L.renewalsPerSecond * L.renewWindowMs) / 1000), durationMs: L.renewWindowMs, drainMs: L.renewDrainMs,
      }),
      { postgresWaits: false },
    );
    const renewed = renew.result.renewed;
    results.registry.leases = {
      fleet: { ...fleet.outcome.result, completed: fleet.outcome.result.completed.length, projected: fleet.lag.ok },
      heartbeats: renew.result,
      cpuUsPerRenewal: cpuPerOperationUs(PHASE_HEARTBEATS, ['api', 'projector', 'postgres'], renewed),
      cpuUsPerRenewalAboveIdle: cpuAboveIdleUs(PHASE_HEARTBEATS, PHASE_REGISTRY_IDLE, ['api', 'projector', 'postgres'], renewed),
      apiCpuUsPerRenewal: cpuPerOperationUs(PHASE_HEARTBEATS, ['api'], renewed),
      projectorCpuUsPerRenewal: cpuPerOperationUs(PHASE_HEARTBEATS, ['projector'], renewed),
      postgresCpuUsPerRenewal: cpuPerOperationUs(PHASE_HEARTBEATS, ['postgres'], renewed),
      kafkaCpuUsPerRenewal: cpuPerOperationUs(PHASE_HEARTBEATS, ['kafka'], renewed),
      loadgenCpuUsPerRenewal: renewed > 0 ? round((1e6 * loadgenCpuOf(renew)) / renewed, 1) : null,
      loadgenCpuSeconds: loadgenCpuOf(renew),
    };

    // Expiry latency. Protective mode compares lapses with the leased count the sweeper last took
    // (every 10 s): wait until that count covers the fleet, so 200 lapses are 1% of it.
    await lg().run('registerServices', { ...target, namespace: 'bench-lease-expiry', first: 0, count: L.expiryServices, concurrency: 8, wait: 'projection' });
    const leasedCount = async () => (await main().metrics().catch(() => new Map<string, number>())).get('registry_leased_endpoints');
    const leasedUntil = performance.now() + 15_000;
    let leased = await leasedCount();
    while (leased !== undefined && leased < fleet.outcome.result.endpoints && performance.now() < leasedUntil) {
      await sleep(500);
      leased = await leasedCount();
    }
    const expiry = await phase(PHASE_EXPIRY, () =>
      lg().run('expiryLatency', {
        ...target, namespace: 'bench-lease-expiry', services: L.expiryServices, perService: L.expiryPerService, addressBlock: 9,
        ttlSeconds: L.expiryTtlSeconds, rate: L.expiryRate, readyTimeoutMs: 30_000, drainMs: L.expiryDrainMs,
      }),
    );
    const after = await main().metrics().catch(() => new Map<string, number>());
    results.registry.leaseExpiry = {
      ...expiry.result,
      sweepMs: L.sweepMs,
      leasedCountedBySweeper: leased ?? null,
      protectionActiveAfter: after.get('registry_lease_protection_active') ?? null,
      wouldExpireAfter: after.get('registry_lease_would_expire') ?? null,
      loadgenCpuSeconds: loadgenCpuOf(expiry),
    };
  }
};

// ---------------------------------------------------------------- report

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const get = (object: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), object);

const buildRows = (): ResultRow[] => {
  const b = results.baselines;
  const r = results.registry;
  const etcdPut = num(get(b, 'etcdPut', 'rate'));
  const rows: ResultRow[] = [];
  if (r.single) {
    rows.push(row('G1', 'registerEndpoint c64, after projection (ops/s) / etcd put c64', { value: num(get(r, 'single', 'confirmedPerSecond')), unit: 'ops/s' }, { value: etcdPut, unit: 'puts/s' }, { op: '>=', value: 0.5 }));
  }
  if (r.singleAck) {
    rows.push(row('D1', 'diagnostic: registerEndpoint c64, returning on Kafka ack / etcd put c64', { value: num(get(r, 'singleAck', 'rate')), unit: 'ops/s' }, { value: etcdPut, unit: 'puts/s' }, null, {
      note: `no goal: isolates API + Kafka from the projection wait; p50 ${get(r, 'singleAck', 'latencyMs', 'p50')} ms, p99 ${get(r, 'singleAck', 'latencyMs', 'p99')} ms, errors ${get(r, 'singleAck', 'errors')}`,
    }));
  }
  if (r.frontDoor) {
    const door = (name: string, operation: DoorOperation, figure: 'cpuUsPerRequest' | 'cpuUsPerRequestAboveIdle' | 'p99Ms' | 'rate' | 'errors') => num(get(r, 'frontDoor', name, operation, figure));
    DOOR_OPERATIONS.forEach((operation, i) => {
      for (const { name } of FRONT_DOORS.filter((d) => d.name !== 'apollo' && get(r, 'frontDoor', d.name) !== undefined)) {
        rows.push(row(`FD${i + 1}-${name}`, `API CPU per ${operation} c${R.doorConcurrency}, ${name} / apollo (today)`, { value: door(name, operation, 'cpuUsPerRequest'), unit: 'µs/req' }, { value: door('apollo', operation, 'cpuUsPerRequest'), unit: 'µs/req' }, { op: '<=', value: 0.5 }, {
          note:
            `adopt at <= 0.5; median of ${R.doorRounds} rounds; above idle ${door(name, operation, 'cpuUsPerRequestAboveIdle')} vs ${door('apollo', operation, 'cpuUsPerRequestAboveIdle')} µs; ` +
            `p99 ${door(name, operation, 'p99Ms')} vs ${door('apollo', operation, 'p99Ms')} ms; ${door(name, operation, 'rate')} vs ${door('apollo', operation, 'rate')} req/s; errors ${door(name, operation, 'errors')} vs ${door('apollo', operation, 'errors')}`,
        }));
      }
    });
  }
  if (r.scale) {
    const scale = (size: number, kind: 'single' | 'bulk') =>
      num(get(r, 'scale', String(size), kind, kind === 'single' ? 'confirmedPerSecond' : 'confirmedEndpointsPerSecond'));
    for (const size of R.scaleSizes.slice(1)) {
      const goal = size === 10_000 ? ({ op: '>=', value: 0.7 } as const) : null;
      rows.push(row(`S1-${size}`, `registerEndpoint c16 into ${size} endpoints / into 10`, { value: scale(size, 'single'), unit: 'ops/s' }, { value: scale(10, 'single'), unit: 'ops/s' }, goal));
      rows.push(row(`S2-${size}`, `registerEndpoints x20 c4 into ${size} endpoints / into 10`, { value: scale(size, 'bulk'), unit: 'ep/s' }, { value: scale(10, 'bulk'), unit: 'ep/s' }, goal));
    }
    const largest = R.scaleSizes[R.scaleSizes.length - 1];
    rows.push(row('M1b', `projector RSS with one ${largest}-endpoint service (peak sampled while filling and registering)`, { value: num(get(r, 'scale', String(largest), 'projectorMemory', 'peakSampledRssMb')), unit: 'MB' }, null, { op: '<=', value: 300 }));
  }
  if (r.bulk) {
    rows.push(row('G1b', 'registerEndpoints x100 c8, after projection (endpoints/s) / etcd put c64', { value: num(get(r, 'bulk', 'confirmedEndpointsPerSecond')), unit: 'ep/s' }, { value: etcdPut, unit: 'puts/s' }, { op: '>=', value: 5 }));
  }
  const delivery = (id: string, label: string, registry: string, etcd: string, goal: number, extra = '') => {
    const delivered = num(get(r, registry, 'deliveredRatio')) ?? 0;
    const outOfOrder = num(get(r, registry, 'outOfOrder')) ?? 0;
    rows.push(
      row(id, label, { value: num(get(r, registry, 'latencyMs', 'p99')), unit: 'ms' }, { value: num(get(b, etcd, 'latencyMs', 'p99')), unit: 'ms' }, { op: '<=', value: goal }, {
        require: delivered === 1 && outOfOrder === 0,
        note: `delivered ${(100 * delivered).toFixed(2)}% of ${get(r, registry, 'expected')}, out of order ${outOfOrder} (both required: 100% and 0); p50 ${get(r, registry, 'latencyMs', 'p50')} ms vs etcd p50 ${get(b, etcd, 'latencyMs', 'p50')} ms${extra}`,
      }),
    );
  };
  if (r.fanout) delivery('G4', 'mutation->graphql-ws p99, 200/s, 100 subs / etcd put->watch p99, 100 watchers', 'fanout', 'etcdWatch', 5);
  if (r.quiet) {
    const writtenBack = `; written back before the phase: ${get(r, 'quiet', 'writtenBackMb')} MB vs ${get(b, 'etcdQuiet', 'writtenBackMb')} MB before etcd's`;
    delivery('F1', 'mutation->1 quiet graphql-ws subscriber p99 / etcd put->watch p99, 1 watcher (20/s)', 'quiet', 'etcdQuiet', 5, writtenBack);
  }
  if (r.sliceFanout) delivery('F2', 'one 100-endpoint slice to 100 subscribers p99, 50 changes/s / etcd same JSON to 100 watchers', 'sliceFanout', 'etcdSliceFanout', 2);
  if (r.projector) {
    rows.push(row('G5', 'projector slice writes/s, each event a different slice / raw pg slice upsert', { value: num(get(r, 'projector', 'sliceWritesPerSecond')), unit: 'writes/s' }, { value: num(get(b, 'pgSliceUpsert', 'rate')), unit: 'rows/s' }, { op: '>=', value: 0.5 }, {
      require: get(r, 'projector', 'caughtUp') === true,
      note: get(r, 'projector', 'caughtUp') === true ? undefined : 'the projector did not catch up within the bound; rate over the window',
    }));
  }
  if (r.replay) {
    rows.push(row('G8', 'replay from offset 0 (events/s) / raw pg 100-row multi-row upsert rows/s', { value: num(get(r, 'replay', 'eventsPerSecond')), unit: 'events/s' }, { value: num(get(b, 'pgMultiRowUpsert', 'rowsPerSecond')), unit: 'rows/s' }, { op: '>=', value: 0.2 }, {
      note: `${get(r, 'replay', 'events')} events replayed${get(r, 'replay', 'caughtUp') === true ? '' : ` (bound hit, lag ${get(r, 'replay', 'remainingLag')} left; rate over the window)`}`,
    }));
  }
  if (r.read) {
    rows.push(row('G10', 'endpointSlices (1 service, 100 endpoints) c64 / etcd range 100 keys c64', { value: num(get(r, 'read', 'rate')), unit: 'q/s' }, { value: num(get(b, 'etcdRange', 'rate')), unit: 'ranges/s' }, { op: '>=', value: 1 }));
  }
  if (r.projectorMemory) {
    // The highest RSS sampled while the projector holds the 100,000 endpoints: while and after
    // projecting the fill, and while and after applying the churn backlog (same endpoints).
    const samples = [get(r, 'projectorMemory', 'peakSampledRssMb'), get(r, 'projectorMemory', 'rssMb'), get(r, 'projector', 'memory', 'peakSampledRssMb'), get(r, 'projector', 'memory', 'rssMb')]
      .map(num)
      .filter((v): v is number => v !== null);
    rows.push(row('M1', `projector RSS holding ${get(r, 'projectorMemory', 'endpoints')} endpoints in ${get(r, 'projectorMemory', 'services')} services (peak sampled)`, { value: samples.length ? Math.max(...samples) : null, unit: 'MB' }, null, { op: '<=', value: 300 }, {
      note: `idle after the fill ${get(r, 'projectorMemory', 'rssMb')} MB; peak while projecting the fill ${get(r, 'projectorMemory', 'peakSampledRssMb')} MB; peak while applying the churn backlog ${get(r, 'projector', 'memory', 'peakSampledRssMb') ?? 'n/a'} MB; replay projector peak ${get(r, 'replay', 'memory', 'peakSampledRssMb') ?? 'n/a'} MB`,
    }));
  }
  if (r.apiMemory) {
    const ready = num(get(r, 'apiMemory', 'opened', 'ready'));
    rows.push(row('M2', `API RSS with ${ready} subscribers`, { value: num(get(r, 'apiMemory', 'peakRssMb')), unit: 'MB' }, null, { op: '<=', value: 300 }, {
      require: ready === R.holdSubscribers,
      note: `${ready} of ${R.holdSubscribers} subscriptions live; RSS before ${get(r, 'apiMemory', 'before', 'rssMb')} MB`,
    }));
  }
  if (r.leases) {
    const renewed = num(get(r, 'leases', 'heartbeats', 'renewed')) ?? 0;
    const sent = num(get(r, 'leases', 'heartbeats', 'sent')) ?? 0;
    const keepalives = num(get(b, 'etcdLeases', 'keepalive', 'renewed')) ?? 0;
    const keepalivesSent = num(get(b, 'etcdLeases', 'keepalive', 'sent')) ?? 0;
    const complete = sent > 0 && renewed === sent && (!b.etcdLeases || (keepalivesSent > 0 && keepalives === keepalivesSent));
    rows.push(row('L1', 'lease renewal CPU (API+projector+PG) / etcd keepalive CPU, 20,000 leases at 667/s', { value: num(get(r, 'leases', 'cpuUsPerRenewal')), unit: 'µs/renewal' }, { value: num(get(b, 'etcdLeases', 'etcdCpuUsPerKeepalive')), unit: 'µs/keepalive' }, { op: '<=', value: 2 }, {
      require: complete,
      note:
        `${renewed} of ${sent} renewals in ${get(r, 'leases', 'heartbeats', 'requests')} heartbeats requests of ${L.heartbeatIdsPerRequest} ids (p99 ${get(r, 'leases', 'heartbeats', 'latencyMs', 'p99')} ms); ` +
        `API ${get(r, 'leases', 'apiCpuUsPerRenewal')} + projector ${get(r, 'leases', 'projectorCpuUsPerRenewal')} + PG ${get(r, 'leases', 'postgresCpuUsPerRenewal')} µs (Kafka ${get(r, 'leases', 'kafkaCpuUsPerRenewal') ?? 0} µs, not counted); ` +
        `etcd ${keepalives} of ${keepalivesSent} keepalives (p99 ${get(b, 'etcdLeases', 'keepalive', 'latencyMs', 'p99') ?? 'n/a'} ms); ` +
        `above idle (${L.idleMs / 1000} s with the leases held, no renewals): ${get(r, 'leases', 'cpuUsPerRenewalAboveIdle') ?? 'n/a'} vs ${get(b, 'etcdLeases', 'etcdCpuUsPerKeepaliveAboveIdle') ?? 'n/a'} µs; ` +
        `client CPU ${get(r, 'leases', 'loadgenCpuUsPerRenewal')} µs/renewal vs ${get(b, 'etcdLeases', 'loadgenCpuUsPerKeepalive') ?? 'n/a'} µs/keepalive`,
    }));
  }
  if (r.leaseExpiry) {
    rows.push(row('L2', `lease deadline -> graphql-ws not ready, p99 (ttl ${L.expiryTtlSeconds} s, LEASE_SWEEP_MS ${L.sweepMs})`, { value: num(get(r, 'leaseExpiry', 'latencyMs', 'p99')), unit: 'ms' }, null, null, {
      note:
        `report only; p50 ${get(r, 'leaseExpiry', 'latencyMs', 'p50')} ms, max ${get(r, 'leaseExpiry', 'latencyMs', 'max')} ms; ${get(r, 'leaseExpiry', 'latencyMs', 'count')} of ${get(r, 'leaseExpiry', 'registered')} seen not ready ` +
        `(missing ${get(r, 'leaseExpiry', 'missing')}, early ${get(r, 'leaseExpiry', 'early')}); deadline = client ack + ttl (from send + ttl: p99 ${get(r, 'leaseExpiry', 'latencyFromSendMs', 'p99')} ms; ack p99 ${get(r, 'leaseExpiry', 'ackLatencyMs', 'p99')} ms); ` +
        `protective mode after: ${get(r, 'leaseExpiry', 'protectionActiveAfter') ?? 'n/a'}`,
    }));
  }
  const churnRatio = num(get(r, 'projector', 'writesPerEvent'));
  const singleRatio = num(get(r, 'single', 'projection', 'writesPerEvent'));
  if (singleRatio !== null || churnRatio !== null) {
    rows.push(row('G6', 'slice writes per endpoint event (registerEndpoint phase)', { value: singleRatio ?? churnRatio, unit: 'writes/event' }, null, { op: '<=', value: 1 }, {
      note: `report only; churn phase ${churnRatio ?? 'n/a'}, bulk phase ${get(r, 'bulk', 'projection', 'writesPerEvent') ?? 'n/a'} writes/event`,
    }));
  }
  return rows;
};

const cpuTable = (): string => {
  const groups = ['loadgen', 'api', 'frontdoor', 'projector', 'replayProjector', 'kafka', 'postgres', 'etcd'];
  const lines = Object.entries(results.phases).map(([name, p]) => {
    const cells = groups.map((g) => (p.cpuSeconds[g] !== undefined ? p.cpuSeconds[g].toFixed(1) : '-').padStart(7));
    return `${name.padEnd(58)} ${p.wallSeconds.toFixed(1).padStart(6)} ${p.machineBusyPercent.toFixed(0).padStart(5)}% ${cells.join(' ')}`;
  });
  return [`${'phase (CPU seconds per process group)'.padEnd(58)} ${'wall s'.padStart(6)} ${'busy'.padStart(6)} ${groups.map((g) => g.slice(0, 7).padStart(7)).join(' ')}`, ...lines].join('\n');
};

const writeResults = (): string => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  results.rows = buildRows();
  results.finishedAt = new Date().toISOString();
  results.totalSeconds = round((performance.now() - started) / 1000, 1);
  const file = join(RESULTS_DIR, `${runId}.json`);
  writeFileSync(file, `${JSON.stringify(results, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  return file;
};

// ---------------------------------------------------------------- main

const main = async (): Promise<void> => {
  const tmp = mkdtempSync(join(os.tmpdir(), 'registry-bench-'));
  const logDir = join(tmp, 'logs');
  const profileDir = join(RESULTS_DIR, 'profiles', runId);
  mkdirSync(logDir, { recursive: true });
  if (profiled.size) mkdirSync(profileDir, { recursive: true });
  results.logDir = logDir;
  onCleanup('temporary directory', () => {
    if (env.BENCH_KEEP_LOGS === '1' || results.errors.length > 0) log(`logs kept in ${logDir}`);
    else rmSync(tmp, { recursive: true, force: true });
  });

  const watchdog = setTimeout(() => void abort(`the run exceeded BENCH_BUDGET_SECONDS=${BUDGET_MS / 1000}`), BUDGET_MS);
  onCleanup('watchdog', () => clearTimeout(watchdog));

  results.fingerprint = fingerprint(ROOT, REGISTRY_ROOT, await postgresVersion());
  log(`run ${runId}: ${results.fingerprint.cpuModel}, ${results.fingerprint.cores} cores; scenarios ${[...selected].join(',')}${runBaselines ? ' + baselines' : ''}`);

  loadgen = new LoadGenerator(join(__dirname, 'loadgen.js'));
  onCleanup('load generator', () => loadgen?.stop());

  const databases = { baseline: `bench_${runId}_baseline`, main: `bench_${runId}_main`, replay: `bench_${runId}_replay` };
  if (runBaselines) {
    await etcdBaselines(tmp, logDir);
    results.fingerprint = fingerprint(ROOT, REGISTRY_ROOT, results.fingerprint.postgres); // etcd may have just been installed
    await createDatabase(databases.baseline);
    onCleanup(`database ${databases.baseline}`, () => dropDatabase(databases.baseline));
    await postgresBaselines(databases.baseline);
  }

  if (selected.size > 0) {
    const startedKafka = ensureKafka(ROOT, log);
    if (startedKafka) onCleanup('kafka', () => stopKafka(ROOT));
    const token = env.ADMIN_TOKEN || randomBytes(24).toString('hex');
    const topics = (name: string) => ({ eventsTopic: `bench.${runId}.events`, slicesTopic: `bench.${runId}.${name}.slices`, dlqTopic: `bench.${runId}.${name}.dlq` });
    const deployment: RegistryDeployment = { database: databases.main, groupId: `bench.${runId}.projector`, token, ...topics('main') };
    const replayDeployment: RegistryDeployment = { database: databases.replay, groupId: `bench.${runId}.replay`, token, ...topics('replay') };
    const allTopics = [deployment, replayDeployment].flatMap((d) => [d.eventsTopic, d.slicesTopic, d.dlqTopic]);
    onCleanup('kafka topics', () => deleteTopics([...new Set(allTopics)]));
    for (const name of [databases.main, databases.replay]) {
      await createDatabase(name);
      onCleanup(`database ${name}`, () => dropDatabase(name));
    }
    await registryScenarios(deployment, replayDeployment, logDir, profileDir);
    log('stopping the registry');
    await Promise.all([api?.stop(), projector?.stop()]);
    if (profiled.size) results.profiles = readdirSync(profileDir).map((f) => join(profileDir, f));
  }
  results.complete = true;
};

let aborting = false;
const abort = async (reason: string): Promise<void> => {
  if (aborting) return;
  aborting = true;
  results.errors.push(reason);
  log(`aborting: ${reason}`);
  await runCleanups();
  finish(2);
};

const finish = (code: number): void => {
  const file = writeResults();
  process.stdout.write(`\nEndpointSlice Registry benchmark ${runId} (${results.complete ? 'complete' : 'INCOMPLETE'}, ${results.totalSeconds} s)\n`);
  const f = results.fingerprint;
  if (f) process.stdout.write(`machine: ${f.cpuModel}, ${f.cores} cores, ${f.memoryGiB} GiB; ${f.os}; Node ${f.node}, etcd ${f.etcd}, Kafka ${f.kafka}, Postgres ${f.postgres}; git ${f.git}\n\n`);
  process.stdout.write(`${renderTable(results.rows)}\n\n${cpuTable()}\n\n`);
  const hops = get(results.registry, 'quiet', 'hops') as HopBreakdown | undefined;
  if (hops) process.stdout.write(`one mutation, hop by hop (quiet scenario, HOP_TRACE):\n${renderHops(hops)}\n\n`);
  if (results.errors.length) process.stdout.write(`errors:\n${results.errors.map((e) => `  ${e}`).join('\n')}\n`);
  if (results.profiles?.length) process.stdout.write(`cpu profiles:\n${results.profiles.map((p) => `  ${p}`).join('\n')}\n`);
  process.stdout.write(`results: ${file}\n`);
  process.exit(code);
};

process.on('SIGINT', () => void abort('interrupted (SIGINT)'));
process.on('SIGTERM', () => void abort('terminated (SIGTERM)'));

main().then(
  async () => {
    await runCleanups();
    finish(0);
  },
  async (error: unknown) => {
    results.errors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    log(`failed: ${(error as Error).message}`);
    await runCleanups();
    finish(1);
  },
);
