import { performance } from 'node:perf_hooks';
import { closedLoop, errorText, openLoop, sleep, type LoopResult } from '../lib/loops';
import {
  ENDPOINT_SLICES,
  GraphQLHttpClient,
  REGISTER_ENDPOINT,
  REGISTER_ENDPOINTS,
  REGISTER_SERVICE,
  WAIT_FOR_ACK,
  authHeaders,
  endpointInput,
  responseError,
  serviceInput,
  type MutationData,
} from '../lib/graphql-http';
import { WATCH_EVENTS, WATCH_FULL_SLICES, subscribe, type Subscriber } from '../lib/graphql-ws-client';
import { endpointAddress, serviceName } from '../lib/payload';
import { Recorder } from '../lib/stats';
import type { FanoutResult } from './etcd';

interface Target {
  readonly url: string;
  readonly token?: string;
}

export type WaitMode = 'projection' | 'ack';

const client = (t: Target, sockets: number) => new GraphQLHttpClient(t.url, authHeaders(t.token), sockets);
const waitHeaders = (wait: WaitMode) => (wait === 'ack' ? WAIT_FOR_ACK : {});

/** Outcome of one mutation: an error, or whether the projection was confirmed (resourceVersion set). */
const mutate = async (
  http: GraphQLHttpClient,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  wait: WaitMode,
  headers: Record<string, string> = {},
): Promise<{ error?: string; projected: boolean }> => {
  const response = await http.post<MutationData>(query, variables, { ...waitHeaders(wait), ...headers });
  const error = responseError(response);
  if (error) return { error, projected: false };
  return { projected: response.data?.[field]?.resourceVersion != null };
};

export interface MutationLoopResult extends LoopResult {
  /** Mutations that waited for the projection but returned resourceVersion null (PROJECTION_WAIT_MS passed). */
  readonly unconfirmed: number;
  readonly endpoints: number;
  readonly endpointsPerSecond: number;
}

const mutationLoop = async (
  bounds: { concurrency: number; count: number; durationMs: number },
  wait: WaitMode,
  perOperation: number,
  run: (index: number) => Promise<{ error?: string; projected: boolean }>,
): Promise<MutationLoopResult & { failures: string[] }> => {
  let unconfirmed = 0;
  const failures: string[] = [];
  const result = await closedLoop(bounds, async (i) => {
    const outcome = await run(i);
    if (outcome.error) {
      if (failures.length < 5) failures.push(outcome.error);
      return false;
    }
    if (wait === 'projection' && !outcome.projected) unconfirmed++;
    return true;
  });
  const endpoints = result.ops * perOperation;
  return { ...result, firstError: result.firstError ?? failures[0], unconfirmed, endpoints, endpointsPerSecond: endpoints / result.seconds, failures };
};

export interface RegisterServicesParams extends Target {
  readonly namespace: string;
  readonly first: number;
  readonly count: number;
  readonly concurrency: number;
  readonly wait: WaitMode;
}

export const registerServices = async (p: RegisterServicesParams): Promise<MutationLoopResult> => {
  const http = client(p, p.concurrency);
  try {
    return await mutationLoop({ concurrency: p.concurrency, count: p.count, durationMs: 120_000 }, p.wait, 0, (i) =>
      mutate(http, REGISTER_SERVICE, 'registerService', { input: serviceInput(p.namespace, serviceName(p.first + i)) }, p.wait),
    );
  } finally {
    http.close();
  }
};

export interface RegisterSingleParams extends Target {
  readonly namespace: string;
  readonly services: number;
  /** Address block of this scenario (see endpointAddress). */
  readonly addressBlock: number;
  /** Index of the first endpoint (default 0): repeated runs into one block take disjoint ranges. */
  readonly firstIndex?: number;
  readonly concurrency: number;
  readonly count: number;
  readonly durationMs: number;
  readonly wait: WaitMode;
}

/** registerEndpoint of a new endpoint per call, round-robin over the services, `concurrency` in flight. */
export const registerSingle = async (p: RegisterSingleParams): Promise<MutationLoopResult> => {
  const http = client(p, p.concurrency);
  try {
    return await mutationLoop(p, p.wait, 1, (i) =>
      mutate(
        http,
        REGISTER_ENDPOINT,
        'registerEndpoint',
        { input: endpointInput(p.namespace, serviceName(i % p.services), endpointAddress(p.addressBlock, (p.firstIndex ?? 0) + i), (p.firstIndex ?? 0) + i) },
        p.wait,
      ),
    );
  } finally {
    http.close();
  }
};

export interface RegisterBulkParams extends Target {
  readonly namespace: string;
  /** Service indexes to fill, one request each. */
  readonly serviceIndexes: readonly number[];
  readonly perRequest: number;
  readonly addressBlock: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly wait: WaitMode;
}

/** registerEndpoints with `perRequest` new endpoints of one service per request. */
export const registerBulk = async (p: RegisterBulkParams): Promise<MutationLoopResult & { completed: number[] }> => {
  const http = client(p, p.concurrency);
  const completed: number[] = [];
  try {
    const result = await mutationLoop({ concurrency: p.concurrency, count: p.serviceIndexes.length, durationMs: p.durationMs }, p.wait, p.perRequest, async (i) => {
      const service = p.serviceIndexes[i];
      const inputs = Array.from({ length: p.perRequest }, (_, k) => {
        const index = service * p.perRequest + k;
        return endpointInput(p.namespace, serviceName(service), endpointAddress(p.addressBlock, index), index);
      });
      const outcome = await mutate(http, REGISTER_ENDPOINTS, 'registerEndpoints', { inputs }, p.wait);
      if (!outcome.error) completed.push(service);
      return outcome;
    });
    return { ...result, completed };
  } finally {
    http.close();
  }
};

export interface ChurnParams extends Target {
  readonly namespace: string;
  /** Services 0..services-1 of `namespace` hold `perService` endpoints registered by registerBulk. */
  readonly services: number;
  readonly perService: number;
  readonly addressBlock: number;
  readonly perRequest: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly durationMs: number;
}

/**
 * Re-registers existing endpoints with a new zone: every event changes one endpoint of one slice,
 * and consecutive events (across the whole run: `services` apart) change different slices. Sent
 * with x-registry-wait: ack, to fill the log while the projector is stopped.
 */
export const churn = async (p: ChurnParams): Promise<MutationLoopResult> => {
  const http = client(p, p.concurrency);
  try {
    return await mutationLoop({ concurrency: p.concurrency, count: p.requests, durationMs: p.durationMs }, 'ack', p.perRequest, (r) => {
      const inputs = Array.from({ length: p.perRequest }, (_, k) => {
        const event = r * p.perRequest + k;
        const service = event % p.services;
        const index = service * p.perService + (Math.floor(event / p.services) % p.perService);
        return endpointInput(p.namespace, serviceName(service), endpointAddress(p.addressBlock, index), index, `zone-r${r}`);
      });
      return mutate(http, REGISTER_ENDPOINTS, 'registerEndpoints', { inputs }, 'ack');
    });
  } finally {
    http.close();
  }
};

export interface ReadParams extends Target {
  readonly namespace: string;
  readonly serviceIndexes: readonly number[];
  readonly expectEndpoints: number;
  readonly concurrency: number;
  readonly count: number;
  readonly durationMs: number;
}

interface SlicesData {
  readonly endpointSlices: { readonly nodes: readonly { readonly endpoints: readonly unknown[] }[] };
}

/** endpointSlices(namespace, serviceName) with the full slice selection, `concurrency` in flight. */
export const readSlices = async (p: ReadParams): Promise<LoopResult & { responseBytes: number }> => {
  const http = client(p, p.concurrency);
  let responseBytes = 0;
  const failures: string[] = [];
  try {
    const result = await closedLoop(p, async (i) => {
      const response = await http.post<SlicesData>(ENDPOINT_SLICES, { ns: p.namespace, svc: serviceName(p.serviceIndexes[i % p.serviceIndexes.length]) });
      const error = responseError(response);
      if (error) {
        if (failures.length < 5) failures.push(error);
        return false;
      }
      const endpoints = response.data?.endpointSlices.nodes.reduce((n, s) => n + s.endpoints.length, 0) ?? 0;
      if (responseBytes === 0) responseBytes = JSON.stringify(response).length;
      if (endpoints !== p.expectEndpoints && failures.length < 5) failures.push(`expected ${p.expectEndpoints} endpoints, got ${endpoints}`);
      return endpoints === p.expectEndpoints;
    });
    return { ...result, firstError: result.firstError ?? failures[0], responseBytes };
  } finally {
    http.close();
  }
};

export interface FanoutParams extends Target {
  readonly namespace: string;
  /** Services 0..services-1 exist with one endpoint each, so each subscriber first gets `services` ADDED. */
  readonly services: number;
  readonly subscribers: number;
  readonly addressBlock: number;
  readonly rate: number;
  readonly count: number;
  readonly durationMs: number;
  readonly drainMs: number;
  readonly readyTimeoutMs: number;
  readonly wait: WaitMode;
  /**
   * Issue 15's equal-payload fan-out: service 0 already holds this many endpoints (addresses
   * 0..n-1 of `addressBlock`, one slice), mutation i re-registers endpoint i % n with node name
   * `m-<i>`, and every subscriber selects the whole slice. Without it, mutation i registers a new
   * endpoint and subscribers select addresses only.
   */
  readonly rewriteEndpoints?: number;
  /**
   * Sends a W3C traceparent with each mutation (trace id = its index + 1) and returns the client's
   * wall-clock send and first-receipt times, for lining up with the registry's HOP_TRACE lines.
   */
  readonly traceHops?: boolean;
}

/** Client-side ends of one traced mutation, in epoch milliseconds. */
export interface ClientHops {
  readonly trace: string;
  readonly sent: number;
  received?: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();
const traceIdOf = (index: number): string => (index + 1).toString(16).padStart(32, '0');

/** The node name that marks mutation `index` in the rewrite mode. */
const markerNode = (index: number): string => `m-${index}`;

/**
 * Open-loop registerEndpoint at `rate`/s; latency from just before the request is sent to the
 * graphql-ws event whose slice first shows the mutation (its new address, or in the rewrite mode
 * its marker node name), for every subscriber. Delivery is complete when every subscriber saw
 * every mutation; order is checked on resourceVersion.
 */
export const fanout = async (p: FanoutParams): Promise<FanoutResult & { readySeconds: number; subscriberErrors: string[]; hops?: ClientHops[] }> => {
  const http = client(p, 256);
  const hops: ClientHops[] = [];
  const sentAt = new Float64Array(p.count);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < p.count; i++) indexOf.set(p.rewriteEndpoints ? markerNode(i) : endpointAddress(p.addressBlock, i), i);
  const latency = new Recorder();
  const ack = new Recorder();
  let delivered = 0;
  let outOfOrder = 0;
  let sendErrors = 0;
  let firstError: string | undefined;
  const subscribers: Subscriber[] = [];
  try {
    const readyStarted = performance.now();
    for (let s = 0; s < p.subscribers; s++) {
      const seen = new Set<number>();
      let lastRv = 0n;
      let received = 0;
      subscribers.push(
        subscribe(p.url, { ns: p.namespace }, p.token, (event) => {
          const now = performance.now();
          // The first `services` events are the initial list (ADDED, in name order, each with its
          // slice's own resourceVersion); from there on every change must arrive in resourceVersion order.
          const rv = BigInt(event.resourceVersion);
          if (++received > p.services) {
            if (rv <= lastRv) outOfOrder++;
            lastRv = rv;
          } else if (rv > lastRv) lastRv = rv;
          for (const endpoint of event.object?.endpoints ?? []) {
            const index = indexOf.get((p.rewriteEndpoints ? endpoint.nodeName : endpoint.addresses[0]) ?? '');
            if (index === undefined || seen.has(index) || sentAt[index] === 0) continue;
            seen.add(index);
            delivered++;
            latency.push(now - sentAt[index]);
            if (p.traceHops && hops[index]) hops[index].received ??= epochNow();
          }
        }, p.rewriteEndpoints ? WATCH_FULL_SLICES : WATCH_EVENTS),
      );
    }
    const readyUntil = performance.now() + p.readyTimeoutMs;
    while (subscribers.some((s) => s.events < p.services && s.errors.length === 0) && performance.now() < readyUntil) await sleep(50);
    const readySeconds = (performance.now() - readyStarted) / 1000;
    const notReady = subscribers.filter((s) => s.events < p.services).length;
    if (notReady > 0) throw new Error(`${notReady} of ${p.subscribers} subscribers not ready after ${p.readyTimeoutMs} ms: ${subscribers.flatMap((s) => s.errors)[0] ?? 'no error'}`);

    const loop = await openLoop({ rate: p.rate, count: p.count, durationMs: p.durationMs }, (i) => {
      const t0 = performance.now();
      sentAt[i] = t0;
      if (p.traceHops) hops[i] = { trace: traceIdOf(i), sent: epochNow() };
      const headers: Record<string, string> = p.traceHops ? { traceparent: `00-${traceIdOf(i)}-0000000000000001-01` } : {};
      const input = p.rewriteEndpoints
        ? { ...endpointInput(p.namespace, serviceName(0), endpointAddress(p.addressBlock, i % p.rewriteEndpoints), i % p.rewriteEndpoints), nodeName: markerNode(i) }
        : endpointInput(p.namespace, serviceName(i % p.services), endpointAddress(p.addressBlock, i), i);
      mutate(http, REGISTER_ENDPOINT, 'registerEndpoint', { input }, p.wait, headers).then(
        (outcome) => {
          if (outcome.error) {
            sendErrors++;
            firstError ??= outcome.error;
          } else ack.push(performance.now() - t0);
        },
        (error: unknown) => {
          sendErrors++;
          firstError ??= errorText(error);
        },
      );
    });
    const expected = loop.sent * p.subscribers;
    const drainUntil = performance.now() + p.drainMs;
    while (delivered < expected && performance.now() < drainUntil) await sleep(50);
    return {
      sent: loop.sent,
      sendErrors,
      subscribers: p.subscribers,
      expected,
      delivered,
      deliveredRatio: expected === 0 ? 0 : delivered / expected,
      outOfOrder,
      latencyMs: latency.summary(),
      ackLatencyMs: ack.summary(),
      openLoopMaxLagMs: loop.maxLagMs,
      seconds: loop.seconds,
      firstError,
      readySeconds,
      subscriberErrors: [...new Set(subscribers.flatMap((s) => s.errors))].slice(0, 5),
      ...(p.traceHops && { hops }),
    };
  } finally {
    await Promise.allSettled(subscribers.map((s) => s.stop()));
    http.close();
  }
};

export interface HoldSubscribersParams extends Target {
  readonly namespace: string;
  readonly serviceIndexes: readonly number[];
  readonly subscribers: number;
  readonly readyTimeoutMs: number;
}

let held: Subscriber[] = [];

/** Opens `subscribers` connections (one watch of one service each) and keeps them open until releaseSubscribers. */
export const holdSubscribers = async (p: HoldSubscribersParams): Promise<{ opened: number; ready: number; readySeconds: number; errors: string[] }> => {
  const started = performance.now();
  for (let s = 0; s < p.subscribers; s++) {
    held.push(subscribe(p.url, { ns: p.namespace, svc: serviceName(p.serviceIndexes[s % p.serviceIndexes.length]) }, p.token, () => undefined));
    if (s % 50 === 49) await sleep(10); // let the handshakes through instead of 1000 at once
  }
  const until = performance.now() + p.readyTimeoutMs;
  while (held.some((s) => s.events === 0 && s.errors.length === 0) && performance.now() < until) await sleep(100);
  return {
    opened: held.length,
    ready: held.filter((s) => s.events > 0).length,
    readySeconds: (performance.now() - started) / 1000,
    errors: [...new Set(held.flatMap((s) => s.errors))].slice(0, 5),
  };
};

export const releaseSubscribers = async (): Promise<{ events: number; errors: string[]; completed: number }> => {
  const subscribers = held;
  held = [];
  const result = {
    events: subscribers.reduce((n, s) => n + s.events, 0),
    errors: [...new Set(subscribers.flatMap((s) => s.errors))].slice(0, 5),
    completed: subscribers.filter((s) => s.completed).length,
  };
  await Promise.allSettled(subscribers.map((s) => s.stop()));
  return result;
};

export interface RegisterIntoParams extends Target {
  readonly namespace: string;
  /** The one service every request goes to. */
  readonly service: number;
  readonly addressBlock: number;
  /** First endpoint index: scenarios sharing a block keep their addresses apart. */
  readonly firstIndex: number;
  /** 1: registerEndpoint; more: registerEndpoints of that many new endpoints. */
  readonly perRequest: number;
  readonly concurrency: number;
  readonly count: number;
  readonly durationMs: number;
  readonly wait: WaitMode;
}

/** New endpoints into one service, `perRequest` per request: what a registration costs as the service grows. */
export const registerInto = async (p: RegisterIntoParams): Promise<MutationLoopResult> => {
  const http = client(p, p.concurrency);
  const input = (index: number) => endpointInput(p.namespace, serviceName(p.service), endpointAddress(p.addressBlock, p.firstIndex + index), index);
  try {
    return await mutationLoop(p, p.wait, p.perRequest, (i) =>
      p.perRequest === 1
        ? mutate(http, REGISTER_ENDPOINT, 'registerEndpoint', { input: input(i) }, p.wait)
        : mutate(http, REGISTER_ENDPOINTS, 'registerEndpoints', { inputs: Array.from({ length: p.perRequest }, (_, k) => input(i * p.perRequest + k)) }, p.wait),
    );
  } finally {
    http.close();
  }
};
