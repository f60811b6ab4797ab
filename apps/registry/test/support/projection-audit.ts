import { Kafka, logLevel } from 'kafkajs';
import type { Client } from 'pg';
import type { RegistryConfig } from '@lib/config';
import { registerLz4Codec } from '@lib/messaging';
import { unpackSlice } from '@lib/persistence';
import { eventually, graphqlOk } from '@lib/testing';

export const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { eventIds resourceVersion } }`;
export const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { eventIds resourceVersion } }`;
const SERVICE_SLICES = `query($svc: String) {
  endpointSlices(serviceName: $svc, first: 1000) {
    nodes { metadata { name generation } endpoints { zone targetRef { name } } } } }`;
type ServiceSlices = {
  endpointSlices: { nodes: { metadata: { name: string; generation: number }; endpoints: { zone: string | null; targetRef: { name: string } }[] }[] };
};

/** Returns on the broker's ack: a dead projector does not hold the client up. */
export const ACK_ONLY = { 'x-registry-wait': 'ack' };

/** What the registry must show: service -> endpoint id -> zone of the registration that came last. */
export type ExpectedEndpoints = Map<string, Map<string, string>>;

/**
 * `requests` bulk registrations of 50 endpoints per service. Request r registers endpoints
 * [40r, 40r+50): the first ten re-register the previous request's last ten with a new zone, so
 * a message applied twice out of order (an old registration after a newer one) shows as a wrong
 * zone, not only as a missing or duplicated endpoint.
 */
export class BulkLoad {
  readonly expected: ExpectedEndpoints = new Map();
  accepted = 0;

  constructor(
    readonly services: readonly string[],
    readonly requestsPerService: number,
  ) {}

  static readonly PER_REQUEST = 50;
  static readonly STRIDE = 40;

  inputs(serviceIndex: number, request: number) {
    const serviceName = this.services[serviceIndex];
    return Array.from({ length: BulkLoad.PER_REQUEST }, (_, k) => {
      const i = request * BulkLoad.STRIDE + k;
      return { serviceName, addresses: [`10.${serviceIndex + 1}.${Math.floor(i / 200)}.${(i % 200) + 1}`], zone: `zone-${request}` };
    });
  }

  /** Sends requests [from, to) of every service: services in parallel, each service's in order. */
  async send(url: string, from: number, to: number): Promise<void> {
    await Promise.all(
      this.services.map(async (service, s) => {
        for (let r = from; r < to; r++) {
          const inputs = this.inputs(s, r);
          await graphqlOk(url, REGISTER_ENDPOINTS, { inputs }, ACK_ONLY);
          this.accepted++;
          const ids = this.expected.get(service) ?? new Map<string, string>();
          for (const input of inputs) ids.set(input.addresses[0], input.zone);
          this.expected.set(service, ids);
        }
      }),
    );
  }
}

/** Next offset per partition of the events topic (the high watermark). */
export const endOffsets = async (config: RegistryConfig): Promise<Map<number, bigint>> => {
  const admin = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(config.eventsTopic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
};

/**
 * The slice change topic read from the beginning, folded by key (a tombstone deletes), ends in
 * exactly the slices the projection holds, at their resourceVersions: the outbox lost nothing.
 */
export const expectSliceTopicMatches = async (db: Client, config: RegistryConfig, timeoutMs = 60_000): Promise<void> => {
  // The registry runs in processes of its own: this one reads the LZ4-compressed topic as any client must.
  registerLz4Codec();
  const folded = new Map<string, string>();
  const consumer = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).consumer({
    groupId: `${config.slicesTopic}.audit.${Date.now()}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: config.slicesTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = String(message.key);
        if (message.value === null) folded.delete(key);
        else folded.set(key, (JSON.parse(message.value.toString()) as { object: { metadata: { resourceVersion: string } } }).object.metadata.resourceVersion);
      },
    });
    const { rows } = await db.query<{ key: string; rv: string }>(
      `SELECT namespace || '/' || name AS key, resource_version::text AS rv FROM endpoint_slices ORDER BY 1`,
    );
    const table = Object.fromEntries(rows.map((r) => [r.key, r.rv]));
    await eventually(() => expect(Object.fromEntries([...folded].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(table), timeoutMs, 250);
  } finally {
    await consumer.disconnect();
  }
};

/**
 * Once the group is empty (a SIGKILLed member leaves it only when its session times out), moves
 * its Kafka-committed offsets back to the start of the topic: every Kafka commit "lost", as in a
 * crash between the Postgres commit and the Kafka commit, at the largest possible scale.
 */
export const rewindKafkaCommits = async (config: RegistryConfig, timeoutMs = 90_000): Promise<void> => {
  const admin = new Kafka({ brokers: [...(config.kafkaBrokers ?? [])], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const { groups } = await admin.describeGroups([config.projectorGroupId]);
      expect(groups[0]?.state).toBe('Empty');
    }, timeoutMs, 500);
    await admin.resetOffsets({ groupId: config.projectorGroupId, topic: config.eventsTopic, earliest: true });
  } finally {
    await admin.disconnect();
  }
};

/** Offsets the projection has applied, as stored in Postgres with it. */
export const projectedOffsets = async (db: Client, config: RegistryConfig): Promise<Map<number, bigint>> => {
  const { rows } = await db.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
    [config.projectorGroupId, config.eventsTopic],
  );
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
};

export const appliedTotal = async (db: Client, config: RegistryConfig): Promise<bigint> =>
  [...(await projectedOffsets(db, config)).values()].reduce((a, b) => a + b, 0n);

/** consumer_offsets equals the topic's end offsets on every partition: nothing left, nothing beyond. */
export const expectCaughtUp = async (db: Client, config: RegistryConfig): Promise<void> => {
  const [ends, applied] = await Promise.all([endOffsets(config), projectedOffsets(db, config)]);
  const view = (m: Map<number, bigint>, partitions: Iterable<number>) =>
    Object.fromEntries([...partitions].map((p) => [p, (m.get(p) ?? 0n).toString()]));
  const partitions = new Set([...ends.keys(), ...applied.keys()]);
  expect(view(applied, partitions)).toEqual(view(ends, partitions));
};

/**
 * Through the API: every registered endpoint is in exactly one slice of its service, nothing
 * else is, and each shows the zone of its last registration.
 */
export const expectEndpointsExactlyOnce = async (url: string, expected: ExpectedEndpoints, maxPerSlice: number): Promise<void> => {
  for (const [service, ids] of expected) {
    const { endpointSlices } = await graphqlOk<ServiceSlices>(url, SERVICE_SLICES, { svc: service });
    const seen = endpointSlices.nodes.flatMap((s) => s.endpoints.map((e) => ({ id: e.targetRef.name, zone: e.zone })));
    const counts = new Map<string, number>();
    for (const { id } of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect({ service, duplicated }).toEqual({ service, duplicated: [] });
    expect({ service, count: seen.length }).toEqual({ service, count: ids.size });
    const byId = (list: { id: string; zone: string | null }[]) => Object.fromEntries(list.map((e) => [e.id, e.zone]));
    expect(byId(seen)).toEqual(byId([...ids].map(([id, zone]) => ({ id, zone }))));
    for (const slice of endpointSlices.nodes) expect(slice.endpoints.length).toBeLessThanOrEqual(maxPerSlice);
  }
};

/** JSON with every object's keys in order: equal content, equal text, however it was built. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

interface ChangeRow {
  rv: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  slice: string;
  generation: number;
  uid: string;
  content: string;
  event_ids: string[];
}

/**
 * The slice change log from `afterRv`: strictly increasing resourceVersions; per slice, a history
 * Kubernetes would produce (the generation counts the content changes: unchanged when the content
 * is, higher when it changed, and a transaction that coalesced several commands may skip some;
 * never written after DELETED, same uid throughout); no command written into the same slice twice
 * (an event applied twice would be); and the history ends in exactly the slices the table holds.
 */
export const expectConsistentChangeLog = async (db: Client, afterRv = '0'): Promise<string[]> => {
  const { rows: stored } = await db.query<Omit<ChangeRow, 'generation' | 'uid' | 'content'> & { object: Buffer }>(
    `SELECT resource_version::text AS rv, type, namespace || '/' || name AS slice, object, event_ids
       FROM slice_changes WHERE resource_version > $1 ORDER BY resource_version`,
    [afterRv],
  );
  const rows: ChangeRow[] = stored.map(({ object, ...row }) => {
    const slice = unpackSlice(object);
    return { ...row, generation: slice.generation, uid: slice.uid, content: canonicalJson([slice.addressType, slice.labels, slice.ports, slice.endpoints]) };
  });
  const rvs = rows.map((r) => BigInt(r.rv));
  expect(rvs.every((rv, i) => i === 0 || rv > rvs[i - 1])).toBe(true);

  const live = new Map<string, ChangeRow>();
  const problems: string[] = [];
  const writtenBy = new Set<string>();
  for (const row of rows) {
    const before = live.get(row.slice);
    const where = `${row.slice}@${row.rv}`;
    for (const eventId of row.event_ids) {
      if (writtenBy.has(`${row.slice} ${eventId}`)) problems.push(`${where}: event ${eventId} wrote this slice twice`);
      writtenBy.add(`${row.slice} ${eventId}`);
    }
    if (row.type === 'ADDED') {
      if (before) problems.push(`${where}: ADDED while it exists`);
      if (row.generation < 1) problems.push(`${where}: ADDED at generation ${row.generation}`);
    } else if (!before) {
      problems.push(`${where}: ${row.type} of a slice that does not exist`);
    } else {
      if (row.uid !== before.uid) problems.push(`${where}: uid changed`);
      if (row.type === 'MODIFIED') {
        const consistent = row.content === before.content ? row.generation === before.generation : row.generation > before.generation;
        if (!consistent) problems.push(`${where}: generation ${before.generation} -> ${row.generation} for ${row.content === before.content ? 'the same' : 'changed'} content`);
      }
    }
    if (row.type === 'DELETED') live.delete(row.slice);
    else live.set(row.slice, row);
  }
  expect(problems).toEqual([]);

  if (afterRv === '0') {
    const { rows: table } = await db.query<{ slice: string; rv: string; object: Buffer }>(
      `SELECT namespace || '/' || name AS slice, resource_version::text AS rv, object FROM endpoint_slices`,
    );
    const fromLog = Object.fromEntries([...live].map(([slice, row]) => [slice, [row.rv, row.generation]]));
    expect(Object.fromEntries(table.map((t) => [t.slice, [t.rv, unpackSlice(t.object).generation]]))).toEqual(fromLog);
  }
  return rows.map((r) => r.rv);
};
