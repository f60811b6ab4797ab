import { performance } from 'node:perf_hooks';
import { Etcd3, type Watcher } from 'etcd3';
import { closedLoop, openLoop, sleep, type LoopResult } from '../lib/loops';
import { endpointValue, serviceName, sliceObject, type SliceObject } from '../lib/payload';
import { Recorder, type LatencySummary } from '../lib/stats';

export interface EtcdPutParams {
  readonly endpoint: string;
  readonly prefix: string;
  readonly services: number;
  readonly perService: number;
  readonly concurrency: number;
  readonly count: number;
  readonly durationMs: number;
  readonly warmup: number;
}

const keyOf = (prefix: string, index: number, perService: number): string =>
  `${prefix}/default/${serviceName(Math.floor(index / perService))}/ep-${String(index).padStart(6, '0')}`;

/** Puts of 207 B endpoint values, `concurrency` in flight (performance.md §2.1), after a deleted warm-up. */
export const etcdPut = async (p: EtcdPutParams): Promise<LoopResult> => {
  const client = new Etcd3({ hosts: p.endpoint });
  try {
    const warm = `${p.prefix}-warmup`;
    await closedLoop({ concurrency: 8, count: p.warmup, durationMs: 10_000 }, async (i) => {
      await client.put(`${warm}/${i}`).value(endpointValue('default', 'warm', i, 1));
      return true;
    });
    await client.delete().prefix(warm);
    const total = p.services * p.perService;
    return await closedLoop({ concurrency: p.concurrency, count: Math.min(p.count, total), durationMs: p.durationMs }, async (i) => {
      const service = serviceName(Math.floor(i / p.perService));
      await client.put(keyOf(p.prefix, i, p.perService)).value(endpointValue('default', service, i, 1));
      return true;
    });
  } finally {
    client.close();
  }
};

export interface EtcdRangeParams {
  readonly endpoint: string;
  readonly prefix: string;
  /** Services that have all `perService` keys written. */
  readonly services: number;
  readonly perService: number;
  readonly concurrency: number;
  readonly count: number;
  readonly durationMs: number;
}

/** Range read of one service's keys (100 values decoded as JSON), `concurrency` in flight. */
export const etcdRange = async (p: EtcdRangeParams): Promise<LoopResult & { keysPerRange: number }> => {
  const client = new Etcd3({ hosts: p.endpoint });
  let keysPerRange = 0;
  try {
    const result = await closedLoop({ concurrency: p.concurrency, count: p.count, durationMs: p.durationMs }, async (i) => {
      const values = await client.getAll().prefix(`${p.prefix}/default/${serviceName(i % p.services)}/`).json();
      keysPerRange = Object.keys(values).length;
      return keysPerRange === p.perService;
    });
    return { ...result, keysPerRange };
  } finally {
    client.close();
  }
};

export interface EtcdWatchParams {
  readonly endpoint: string;
  readonly prefix: string;
  readonly watchers: number;
  /** Client instances (gRPC connections) the watchers are spread over. */
  readonly connections: number;
  readonly rate: number;
  readonly count: number;
  readonly durationMs: number;
  readonly drainMs: number;
  /**
   * Issue 15's equal-payload fan-out: every put writes one key with the JSON of a slice of this
   * many endpoints (put i marked in its resourceVersion), and each watcher parses the value, as a
   * graphql-ws client parses each event. Without it, put i writes key i with a 207 B value.
   */
  readonly sliceEndpoints?: number;
}

export interface FanoutResult {
  readonly sent: number;
  readonly sendErrors: number;
  readonly subscribers: number;
  readonly expected: number;
  readonly delivered: number;
  readonly deliveredRatio: number;
  readonly outOfOrder: number;
  readonly latencyMs: LatencySummary;
  readonly ackLatencyMs: LatencySummary;
  readonly openLoopMaxLagMs: number;
  readonly seconds: number;
  readonly firstError?: string;
}

/** Open-loop puts at `rate`/s; latency from just before put() to each watcher's put event (§2.2). */
export const etcdWatch = async (p: EtcdWatchParams): Promise<FanoutResult> => {
  const clients = Array.from({ length: p.connections }, () => new Etcd3({ hosts: p.endpoint }));
  const writer = new Etcd3({ hosts: p.endpoint });
  const watchers: Watcher[] = [];
  const sentAt = new Float64Array(p.count);
  const latency = new Recorder();
  const ack = new Recorder();
  let delivered = 0;
  let outOfOrder = 0;
  let sendErrors = 0;
  let firstError: string | undefined;
  const slice = p.sliceEndpoints ? sliceObject('bench-slicefan', 'svc-0000', 0, p.sliceEndpoints) : undefined;
  const markedSlice = (i: number) => JSON.stringify({ ...slice, metadata: { ...slice?.metadata, resourceVersion: String(i) } });
  try {
    for (let w = 0; w < p.watchers; w++) {
      const watcher = await clients[w % p.connections].watch().prefix(`${p.prefix}/`).create();
      let lastRevision = 0n;
      watcher.on('put', (kv) => {
        const now = performance.now();
        const index = p.sliceEndpoints
          ? Number((JSON.parse(kv.value.toString()) as SliceObject).metadata.resourceVersion)
          : Number(kv.key.toString().slice(p.prefix.length + 1));
        const revision = BigInt(kv.mod_revision);
        if (revision <= lastRevision) outOfOrder++;
        lastRevision = revision;
        if (index >= 0 && index < p.count && sentAt[index] > 0) {
          latency.push(now - sentAt[index]);
          delivered++;
        }
      });
      watchers.push(watcher);
    }
    const loop = await openLoop({ rate: p.rate, count: p.count, durationMs: p.durationMs }, (i) => {
      const t0 = performance.now();
      sentAt[i] = t0;
      writer
        .put(p.sliceEndpoints ? `${p.prefix}/slice` : `${p.prefix}/${i}`)
        .value(p.sliceEndpoints ? markedSlice(i) : endpointValue('default', 'watch', i, 1))
        .then(
          () => ack.push(performance.now() - t0),
          (error: unknown) => {
            sendErrors++;
            firstError ??= String(error);
          },
        );
    });
    const expected = loop.sent * p.watchers;
    const drainUntil = performance.now() + p.drainMs;
    while (delivered < expected && performance.now() < drainUntil) await sleep(50);
    return {
      sent: loop.sent,
      sendErrors,
      subscribers: p.watchers,
      expected,
      delivered,
      deliveredRatio: expected === 0 ? 0 : delivered / expected,
      outOfOrder,
      latencyMs: latency.summary(),
      ackLatencyMs: ack.summary(),
      openLoopMaxLagMs: loop.maxLagMs,
      seconds: loop.seconds,
      firstError,
    };
  } finally {
    await Promise.allSettled(watchers.map((w) => w.cancel()));
    for (const client of clients) client.close();
    writer.close();
  }
};
