import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import {
  GraphQLHttpClient,
  HEARTBEATS,
  REGISTER_ENDPOINT,
  REGISTER_ENDPOINTS,
  REGISTRY_STATUS,
  WAIT_FOR_ACK,
  authHeaders,
  endpointInput,
  responseError,
  type MutationData,
} from '../lib/graphql-http';
import { subscribe, WATCH_EVENTS_WITH_CONDITIONS, type Subscriber } from '../lib/graphql-ws-client';
import { closedLoop, errorText, openLoop, sleep } from '../lib/loops';
import { endpointAddress, endpointValue, serviceName } from '../lib/payload';
import { Recorder, type LatencySummary } from '../lib/stats';

/*
 * Issue 8's benchmark: leases. etcd grants 20,000 leases (a key attached to each) and keeps them
 * alive over one LeaseKeepAlive stream; the registry registers 20,000 endpoints with ttlSeconds
 * and renews them with bulk `heartbeats`; both at the rate of a fleet renewing every 30 s. Then
 * expiry: endpoints that never heartbeat, and the time from their lease deadline to the slice
 * event where a graphql-ws subscriber sees them not ready.
 */

interface Target {
  readonly url: string;
  readonly token?: string;
}

// ---------------------------------------------------------------- etcd

export interface EtcdLeaseSetupParams {
  readonly endpoint: string;
  readonly prefix: string;
  readonly services: number;
  readonly perService: number;
  readonly ttlSeconds: number;
  readonly concurrency: number;
  readonly durationMs: number;
}

/** The granted leases, held by the load generator between etcdLeaseSetup and etcdLeaseKeepAlive. */
let etcdLeases: { client: Etcd3; ids: string[] } | undefined;

const closeEtcdLeases = (): void => {
  etcdLeases?.client.close();
  etcdLeases = undefined;
};

/** LeaseGrant(ttl) and a put of a 207 B endpoint value attached to it, per endpoint, `concurrency` in flight. */
export const etcdLeaseSetup = async (p: EtcdLeaseSetupParams): Promise<{ leases: number; keys: number; errors: number; seconds: number; firstError?: string }> => {
  closeEtcdLeases();
  const client = new Etcd3({ hosts: p.endpoint });
  const ids: string[] = [];
  let keys = 0;
  try {
    const total = p.services * p.perService;
    const result = await closedLoop({ concurrency: p.concurrency, count: total, durationMs: p.durationMs }, async (i) => {
      const service = serviceName(Math.floor(i / p.perService));
      const grant = await client.leaseClient.leaseGrant({ TTL: p.ttlSeconds, ID: 0 });
      ids.push(grant.ID);
      await client
        .put(`${p.prefix}/default/${service}/ep-${String(i).padStart(6, '0')}`)
        .value(endpointValue('default', service, i, 1))
        .lease(grant.ID);
      keys++;
      return true;
    });
    etcdLeases = { client, ids };
    return { leases: ids.length, keys, errors: result.errors, seconds: result.seconds, firstError: result.firstError };
  } catch (error) {
    client.close();
    throw error;
  }
};

export interface KeepAliveParams {
  /** Keepalives per second, spread evenly (open loop): leases / renewal period. */
  readonly rate: number;
  readonly count: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

export interface RenewalResult {
  /** Renewals sent (etcd: keepalive requests; registry: endpoint ids in heartbeats requests). */
  readonly sent: number;
  /** Renewals the server confirmed. */
  readonly renewed: number;
  readonly errors: number;
  readonly requests: number;
  /** Per request: keepalive -> its response; heartbeats request -> its response. */
  readonly latencyMs: LatencySummary;
  readonly openLoopMaxLagMs: number;
  /** The open loop's window (sending). */
  readonly seconds: number;
  readonly firstError?: string;
}

/**
 * LeaseKeepAlive over one bidirectional stream (as etcd's Go client multiplexes a client's leases),
 * one request per lease at `rate`/s, round-robin over the granted leases; a response with TTL <= 0
 * (lease not found) is an error. Closes the client at the end.
 */
export const etcdLeaseKeepAlive = async (p: KeepAliveParams): Promise<RenewalResult> => {
  const held = etcdLeases;
  if (!held || held.ids.length === 0) throw new Error('etcdLeaseKeepAlive: no leases granted (run etcdLeaseSetup first)');
  const latency = new Recorder();
  const sentAt = new Map<string, number>();
  let renewed = 0;
  let errors = 0;
  let firstError: string | undefined;
  try {
    const stream = await held.client.leaseClient.leaseKeepAlive();
    stream.on('data', (response) => {
      const t0 = sentAt.get(response.ID);
      sentAt.delete(response.ID);
      if (Number(response.TTL) > 0) {
        renewed++;
        if (t0 !== undefined) latency.push(performance.now() - t0);
      } else {
        errors++;
        firstError ??= `lease ${response.ID} not found (TTL ${response.TTL})`;
      }
    });
    stream.on('error', (error) => {
      errors++;
      firstError ??= errorText(error);
    });
    const loop = await openLoop({ rate: p.rate, count: p.count, durationMs: p.durationMs }, (i) => {
      const id = held.ids[i % held.ids.length];
      sentAt.set(id, performance.now());
      stream.write({ ID: id });
    });
    const until = performance.now() + p.drainMs;
    while (renewed + errors < loop.sent && performance.now() < until) await sleep(20);
    stream.end();
    return { sent: loop.sent, renewed, errors, requests: loop.sent, latencyMs: latency.summary(), openLoopMaxLagMs: loop.maxLagMs, seconds: loop.seconds, firstError };
  } finally {
    closeEtcdLeases();
  }
};

// ---------------------------------------------------------------- registry

/** The id of endpoint `index` of a lease scenario: its address (the id the registry would default to). */
const leasedId = (block: number, index: number): string => endpointAddress(block, index);

export interface RegisterLeasedParams extends Target {
  readonly namespace: string;
  readonly serviceIndexes: readonly number[];
  readonly perService: number;
  readonly addressBlock: number;
  readonly ttlSeconds: number;
  readonly concurrency: number;
  readonly durationMs: number;
}

/** registerEndpoints of one service's `perService` endpoints with `ttlSeconds`, x-registry-wait: ack. */
export const registerLeased = async (p: RegisterLeasedParams): Promise<{ completed: number[]; endpoints: number; errors: number; seconds: number; firstError?: string }> => {
  const http = new GraphQLHttpClient(p.url, authHeaders(p.token), p.concurrency);
  const completed: number[] = [];
  let firstError: string | undefined;
  try {
    const result = await closedLoop({ concurrency: p.concurrency, count: p.serviceIndexes.length, durationMs: p.durationMs }, async (i) => {
      const service = p.serviceIndexes[i];
      const inputs = Array.from({ length: p.perService }, (_, k) => {
        const index = service * p.perService + k;
        const address = endpointAddress(p.addressBlock, index);
        return { ...endpointInput(p.namespace, serviceName(service), address, index), id: leasedId(p.addressBlock, index), ttlSeconds: p.ttlSeconds };
      });
      const error = responseError(await http.post<MutationData>(REGISTER_ENDPOINTS, { inputs }, WAIT_FOR_ACK));
      if (error) {
        firstError ??= error;
        return false;
      }
      completed.push(service);
      return true;
    });
    completed.sort((a, b) => a - b);
    return { completed, endpoints: completed.length * p.perService, errors: result.errors, seconds: result.seconds, firstError: result.firstError ?? firstError };
  } finally {
    http.close();
  }
};

export interface HeartbeatParams extends Target, KeepAliveParams {
  readonly namespace: string;
  /** Services registered by registerLeased (all `perService` endpoints leased). */
  readonly serviceIndexes: readonly number[];
  readonly perService: number;
  /** Ids per `heartbeats` request, all of one service: a divisor of perService. */
  readonly idsPerRequest: number;
  readonly addressBlock: number;
}

/**
 * Bulk `heartbeats(namespace, serviceName, ids)` of `idsPerRequest` endpoints of one service per
 * request, walking the services' endpoints in order, at `rate` renewals/s (open loop: rate /
 * idsPerRequest requests/s). A request renews all its ids or none, so a request without errors
 * counts idsPerRequest.
 */
export const heartbeatLoop = async (p: HeartbeatParams): Promise<RenewalResult> => {
  if (p.serviceIndexes.length === 0) throw new Error('heartbeatLoop: no leased services');
  if (p.idsPerRequest < 1 || p.perService % p.idsPerRequest !== 0) throw new Error(`heartbeatLoop: idsPerRequest ${p.idsPerRequest} must divide ${p.perService}`);
  // Each request waits up to LEASE_RENEW_COALESCE_MS (200) for its statement: at 667 requests/s
  // (one id each) that is well over 100 in flight, so the pool must not be what limits the rate.
  const http = new GraphQLHttpClient(p.url, authHeaders(p.token), 512);
  const latency = new Recorder();
  const chunks = (p.serviceIndexes.length * p.perService) / p.idsPerRequest;
  /** Request i: the (i mod chunks)-th run of idsPerRequest consecutive endpoints. */
  const request = (i: number) => {
    const first = (i % chunks) * p.idsPerRequest;
    const service = p.serviceIndexes[Math.floor(first / p.perService)];
    const offset = first % p.perService;
    return { service, ids: Array.from({ length: p.idsPerRequest }, (_, k) => leasedId(p.addressBlock, service * p.perService + offset + k)) };
  };
  let done = 0;
  let renewed = 0;
  let errors = 0;
  let firstError: string | undefined;
  try {
    const loop = await openLoop({ rate: p.rate / p.idsPerRequest, count: Math.ceil(p.count / p.idsPerRequest), durationMs: p.durationMs }, (i) => {
      const { service, ids } = request(i);
      const t0 = performance.now();
      http.post<MutationData>(HEARTBEATS, { ns: p.namespace, svc: serviceName(service), ids }).then(
        (response) => {
          done++;
          const error = responseError(response);
          if (error) {
            errors++;
            firstError ??= error;
          } else {
            renewed += p.idsPerRequest;
            latency.push(performance.now() - t0);
          }
        },
        (error: unknown) => {
          done++;
          errors++;
          firstError ??= errorText(error);
        },
      );
    });
    const until = performance.now() + p.drainMs;
    while (done < loop.sent && performance.now() < until) await sleep(20);
    return {
      sent: loop.sent * p.idsPerRequest,
      renewed,
      errors,
      requests: loop.sent,
      latencyMs: latency.summary(),
      openLoopMaxLagMs: loop.maxLagMs,
      seconds: loop.seconds,
      firstError,
    };
  } finally {
    http.close();
  }
};

export interface ExpiryParams extends Target {
  /** A namespace of its own: the subscriber watches it whole. Services 0..services-1 exist. */
  readonly namespace: string;
  readonly services: number;
  readonly perService: number;
  readonly addressBlock: number;
  readonly ttlSeconds: number;
  /** Registrations per second (open loop), so deadlines spread over several sweeps. */
  readonly rate: number;
  readonly readyTimeoutMs: number;
  /** After the last deadline, how long to wait for the rest to turn not ready. */
  readonly drainMs: number;
}

export interface ExpiryResult {
  readonly registered: number;
  readonly registerErrors: number;
  readonly notReadySeen: number;
  readonly missing: number;
  /** Not ready seen by the subscriber - (registration ack + ttl): the scenario's figure. */
  readonly latencyMs: LatencySummary;
  /** Not ready seen - (registration sent + ttl): an upper bound (the lease starts between send and ack). */
  readonly latencyFromSendMs: LatencySummary;
  readonly ackLatencyMs: LatencySummary;
  /** Seen not ready before the client-side deadline (expected 0). */
  readonly early: number;
  readonly leaseProtection: unknown;
  readonly subscriberErrors: string[];
  readonly seconds: number;
  readonly firstError?: string;
}

/**
 * Registers endpoints one by one with `ttlSeconds` (ack), never heartbeats them, and measures, per
 * endpoint, the time from its deadline (client-side ack + ttl) to the first slice event in which a
 * graphql-ws subscriber of the namespace sees it `ready: false`. Subscription liveness is proven
 * first with a canary endpoint (no lease) that the subscriber must see.
 */
export const expiryLatency = async (p: ExpiryParams): Promise<ExpiryResult> => {
  const http = new GraphQLHttpClient(p.url, authHeaders(p.token), 32);
  const total = p.services * p.perService;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < total; i++) indexOf.set(endpointAddress(p.addressBlock, i), i);
  const canary = endpointAddress(p.addressBlock, total);
  const sentAt = new Float64Array(total);
  const ackAt = new Float64Array(total);
  const notReadyAt = new Float64Array(total);
  const ack = new Recorder();
  let canarySeen = false;
  let notReadySeen = 0;
  let settled = 0;
  let registerErrors = 0;
  let firstError: string | undefined;
  let subscriber: Subscriber | undefined;
  const started = performance.now();
  try {
    subscriber = subscribe(
      p.url,
      { ns: p.namespace },
      p.token,
      (event) => {
        const now = performance.now();
        for (const endpoint of event.object?.endpoints ?? []) {
          const address = endpoint.addresses[0];
          if (address === canary) canarySeen = true;
          const index = indexOf.get(address);
          if (index === undefined || endpoint.conditions?.ready !== false || notReadyAt[index] > 0) continue;
          notReadyAt[index] = now;
          notReadySeen++;
        }
      },
      WATCH_EVENTS_WITH_CONDITIONS,
    );
    const canaryError = responseError(
      await http.post<MutationData>(REGISTER_ENDPOINT, { input: endpointInput(p.namespace, serviceName(0), canary, total) }),
    );
    if (canaryError) throw new Error(`expiryLatency: canary registration failed: ${canaryError}`);
    const readyUntil = performance.now() + p.readyTimeoutMs;
    while (!canarySeen && subscriber.errors.length === 0 && performance.now() < readyUntil) await sleep(20);
    if (!canarySeen) throw new Error(`expiryLatency: the subscriber did not see the canary within ${p.readyTimeoutMs} ms: ${subscriber.errors[0] ?? 'no error'}`);

    const loop = await openLoop({ rate: p.rate, count: total, durationMs: (1000 * total) / p.rate + 5000 }, (i) => {
      const address = endpointAddress(p.addressBlock, i);
      const input = { ...endpointInput(p.namespace, serviceName(i % p.services), address, i), id: leasedId(p.addressBlock, i), ttlSeconds: p.ttlSeconds };
      const t0 = performance.now();
      sentAt[i] = t0;
      http.post<MutationData>(REGISTER_ENDPOINT, { input }, WAIT_FOR_ACK).then(
        (response) => {
          settled++;
          const error = responseError(response);
          if (error) {
            registerErrors++;
            firstError ??= error;
            return;
          }
          ackAt[i] = performance.now();
          ack.push(ackAt[i] - t0);
        },
        (error: unknown) => {
          settled++;
          registerErrors++;
          firstError ??= errorText(error);
        },
      );
    });
    const ttlMs = 1000 * p.ttlSeconds;
    const ackUntil = performance.now() + 30_000;
    while (settled < loop.sent && performance.now() < ackUntil) await sleep(20);
    const registered = ack.count;
    const lastDeadline = Math.max(...Array.from(ackAt).filter((t) => t > 0)) + ttlMs;
    const until = (Number.isFinite(lastDeadline) ? lastDeadline : performance.now()) + p.drainMs;
    const seenOfRegistered = () => Array.from(ackAt).filter((t, i) => t > 0 && notReadyAt[i] > 0).length;
    while (seenOfRegistered() < registered && performance.now() < until) await sleep(50);

    const latency = new Recorder();
    const fromSend = new Recorder();
    let early = 0;
    for (let i = 0; i < total; i++) {
      if (ackAt[i] === 0 || notReadyAt[i] === 0) continue;
      const ms = notReadyAt[i] - (ackAt[i] + ttlMs);
      if (ms < 0) early++;
      latency.push(ms);
      fromSend.push(notReadyAt[i] - (sentAt[i] + ttlMs));
    }
    const status = await http.post<{ registryStatus: { leaseProtection: unknown } }>(REGISTRY_STATUS, {}).catch(() => undefined);
    return {
      registered,
      registerErrors,
      notReadySeen,
      missing: registered - latency.count,
      latencyMs: latency.summary(),
      latencyFromSendMs: fromSend.summary(),
      ackLatencyMs: ack.summary(),
      early,
      leaseProtection: status?.data?.registryStatus.leaseProtection ?? null,
      subscriberErrors: [...new Set(subscriber.errors)].slice(0, 5),
      seconds: (performance.now() - started) / 1000,
      firstError,
    };
  } finally {
    await subscriber?.stop().catch(() => undefined);
    http.close();
  }
};
