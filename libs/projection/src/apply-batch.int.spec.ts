import type { EndpointDefinition, RecordedEvent, RegistryEvent } from '@lib/domain';
import { encodeEvent, type DeadLetter, type LogBatch, type LogMessage } from '@lib/messaging';
import { openDataSource } from '@lib/persistence';
import { isolatedConfig, projectionRepositories } from '@lib/testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { BatchApplier } from './apply-batch';

const TOPIC = 'registry.events.v1';
const GROUP = 'registry-projector';

const endpoint = (n: number): EndpointDefinition => ({
  id: `10.0.${Math.floor(n / 200)}.${(n % 200) + 1}`,
  addresses: [`10.0.${Math.floor(n / 200)}.${(n % 200) + 1}`],
  conditions: { ready: true, serving: true, terminating: false },
  zone: `zone-${n % 3}`,
  ports: [],
});

/** The log of one service: commands of several events each, with deterministic ids and times. */
const serviceLog = (name = 'web'): LogMessage[] => {
  const commands: RegistryEvent[][] = [
    [{ type: 'ServiceRegistered', data: { service: { namespace: 'default', name, labels: {}, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], addressTypes: ['IPv4'] } } }],
    Array.from({ length: 120 }, (_, n) => ({ type: 'EndpointRegistered', data: { namespace: 'default', serviceName: name, endpoint: endpoint(n) } })),
    [{ type: 'EndpointConditionsChanged', data: { namespace: 'default', serviceName: name, id: endpoint(5).id, conditions: { ready: false, serving: false, terminating: false } } }],
    [7, 8, 9].map((n) => ({ type: 'EndpointDeregistered', data: { namespace: 'default', serviceName: name, id: endpoint(n).id } })),
    Array.from({ length: 30 }, (_, n) => ({ type: 'EndpointRegistered', data: { namespace: 'default', serviceName: name, endpoint: endpoint(120 + n) } })),
    [{ type: 'ServiceRegistered', data: { service: { namespace: 'default', name, labels: { tier: 'front' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], addressTypes: ['IPv4'] } } }],
  ];
  let id = 0;
  const recorded = commands.flatMap((events, c) =>
    events.map(
      (event): RecordedEvent => ({
        event,
        metadata: { id: `${name}-event-${++id}`, time: `2026-01-01T00:00:${String(c).padStart(2, '0')}.000Z`, actor: 'test', commandId: `command-${c}`, commandSize: events.length },
      }),
    ),
  );
  return recorded.map((r, offset) => ({ ...encodeEvent(r), offset: BigInt(offset) }));
};

const batchOf = (messages: readonly LogMessage[], partition = 0): LogBatch => ({ topic: TOPIC, partition, messages });

type Row = Record<string, unknown>;

/**
 * Every table of the projection, rows in a stable order, without the columns Postgres fills from
 * its own clock (DEFAULT now()): what "changes nothing" and "same as one clean pass" compare.
 */
const snapshot = async (dataSource: DataSource): Promise<Record<string, Row[]>> => {
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'registry_migrations' ORDER BY table_name`,
  );
  const clockColumns: { table_name: string; column_name: string }[] = await dataSource.query(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE '%now()%'`,
  );
  const result: Record<string, Row[]> = {};
  for (const { table_name: table } of tables) {
    const clock = new Set(clockColumns.filter((c) => c.table_name === table).map((c) => c.column_name));
    const rows: { row: Row }[] = await dataSource.query(`SELECT to_jsonb(t) AS row FROM "${table}" t`);
    result[table] = rows
      .map(({ row }) => Object.fromEntries(Object.entries(row).filter(([column]) => !clock.has(column))))
      .map((row) => [JSON.stringify(row), row] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => row);
  }
  return result;
};

/** The projection without the change log and the versions it hands out, which depend on how batches fell into transactions. */
const withoutVersions = (s: Record<string, Row[]>) =>
  Object.fromEntries(
    Object.entries(s)
      .filter(([table]) => !['slice_changes', 'consumer_offsets', 'resource_version_counter', 'watch_state'].includes(table))
      .map(([table, rows]) => [
        table,
        rows.map(({ resource_version: _rv, resource_versions: _rvs, ...row }) => JSON.stringify(row)).sort(),
      ]),
  );

describe('BatchApplier: redelivered offsets are skipped (exactly-once effect)', () => {
  const log = serviceLog();
  const dataSources: DataSource[] = [];
  const deadLetters: DeadLetter[] = [];

  const freshDatabase = async (): Promise<DataSource> => {
    const config = await isolatedConfig();
    const dataSource = await openDataSource({ url: config.databaseUrl as string, poolSize: 4 });
    dataSources.push(dataSource);
    return dataSource;
  };
  /** A second pool on the same database: another projector process. */
  const anotherProcessOn = async (dataSource: DataSource): Promise<DataSource> => {
    const other = await openDataSource({ url: (dataSource.options as { url: string }).url, poolSize: 4 });
    dataSources.push(other);
    return other;
  };
  const applierOn = (dataSource: DataSource, repositories = projectionRepositories()) =>
    new BatchApplier(dataSource, repositories, { groupId: GROUP, maxEndpointsPerSlice: 100, cacheEndpoints: 100_000 }, async (letter) => {
      deadLetters.push(letter);
    });

  /** The reference: the whole log applied once, in one batch, on an empty database. */
  let once: Record<string, Row[]>;

  beforeAll(async () => {
    const dataSource = await freshDatabase();
    const applied = await applierOn(dataSource).apply([batchOf(log)]);
    expect(applied.appliedEvents).toBe(log.length);
    once = await snapshot(dataSource);
    expect(once.endpoint_slices).toHaveLength(2);
    expect(once.consumer_offsets).toEqual([
      { group_id: GROUP, topic: TOPIC, partition: 0, next_offset: log.length, resource_version: once.resource_version_counter[0].value },
    ]);
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((d) => d.destroy()));
    expect(deadLetters).toEqual([]);
  });

  it('changes nothing when the same batch comes again after the Postgres commit (crash before the Kafka commit)', async () => {
    const dataSource = await freshDatabase();
    const applier = applierOn(dataSource);
    await applier.apply([batchOf(log)]);
    const committed = await snapshot(dataSource);

    const again = await applier.apply([batchOf(log)]);

    expect(again).toEqual({ appliedEvents: 0, deadLettered: 0, rejectedCommands: 0, changes: [], writesPerReconcile: [], traceparents: [] });
    expect(await snapshot(dataSource)).toEqual(committed);
    expect(committed).toEqual(once);
  });

  it('applies only the unseen tail of a redelivery that overlaps the committed offsets, as if delivered once', async () => {
    const dataSource = await freshDatabase();
    const applier = applierOn(dataSource);
    // Postgres committed through offset 124, Kafka only through 120; batches hold whole commands
    // (a Kafka record batch, an embedded append), so both positions sit on command boundaries.
    await applier.apply([batchOf(log.slice(0, 125))]);
    const redelivered = await applier.apply([batchOf(log.slice(121))]);

    expect(redelivered.appliedEvents).toBe(log.length - 125);
    // Two transactions coalesce slice changes differently from one; everything else is identical.
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });

  it('refuses a batch that starts after the stored position and writes nothing, then goes on once the gap is filled', async () => {
    const dataSource = await freshDatabase();
    const applier = applierOn(dataSource);
    // Stored through offset 120 (commands 0 and 1); the next batch skips command 2 (offset 121).
    await applier.apply([batchOf(log.slice(0, 121))]);
    const before = await snapshot(dataSource);

    await expect(applier.apply([batchOf(log.slice(122))])).rejects.toThrow(
      `partition 0 of ${TOPIC}: the batch starts at offset 122 but the projection's next offset is 121; applying it would skip offsets 121..121`,
    );
    expect(await snapshot(dataSource)).toEqual(before);

    await applier.apply([batchOf(log.slice(121))]);
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });

  it('applies a batch once when two instances are handed it at the same time (rebalance hand-over)', async () => {
    const dataSource = await freshDatabase();
    // The row lock on the offset serializes the two processes.
    const other = await anotherProcessOn(dataSource);

    const results = await Promise.all([applierOn(dataSource).apply([batchOf(log)]), applierOn(other).apply([batchOf(log)])]);

    expect(results.map((r) => r.appliedEvents).sort((a, b) => a - b)).toEqual([0, log.length]);
    expect(await snapshot(dataSource)).toEqual(once);
  });

  it('applies the batches of several partitions in one transaction as if each came alone', async () => {
    const other = serviceLog('api');
    const separate = await freshDatabase();
    await applierOn(separate).apply([batchOf(log)]);
    await applierOn(separate).apply([batchOf(other, 1)]);
    const grouped = await freshDatabase();

    const applied = await applierOn(grouped).apply([batchOf(log), batchOf(other, 1)]);

    expect(applied.appliedEvents).toBe(log.length + other.length);
    const [a, b] = [await snapshot(separate), await snapshot(grouped)];
    // One transaction reserves the versions of both partitions at once; everything else is equal.
    expect(withoutVersions(b)).toEqual(withoutVersions(a));
    expect(b.consumer_offsets.map((r) => [r.partition, r.next_offset])).toEqual([
      [0, log.length],
      [1, other.length],
    ]);
    const objects = (s: Record<string, Row[]>) => s.slice_changes.map((r) => JSON.stringify(r.object)).sort();
    expect(objects(b)).toEqual(objects(a));
  });

  it('skips the applied part of one partition while applying another partition fresh in the same group', async () => {
    const other = serviceLog('api');
    const dataSource = await freshDatabase();
    const applier = applierOn(dataSource);
    await applier.apply([batchOf(log)]);

    const applied = await applier.apply([batchOf(log), batchOf(other, 1)]);

    expect(applied.appliedEvents).toBe(other.length);
    const rows = await snapshot(dataSource);
    expect(rows.consumer_offsets.map((r) => [r.partition, r.next_offset])).toEqual([
      [0, log.length],
      [1, other.length],
    ]);
  });

  /** The log cut on command boundaries: the service, its 120 endpoints, then the rest in three batches. */
  const inSteps = () => [log.slice(0, 121), log.slice(121, 125), log.slice(125, 155), log.slice(155)].map((messages) => batchOf(messages));

  it("applies every batch, a partition's first too, ahead of the locks, as one pass would", async () => {
    const dataSource = await freshDatabase();
    const repositories = projectionRepositories();
    const lockNext = jest.spyOn(repositories.offsets, 'lockNext');
    const claim = jest.spyOn(repositories.offsets, 'claim');
    const confirm = jest.spyOn(repositories.offsets, 'confirm');
    const applier = applierOn(dataSource, repositories);

    for (const batch of inSteps()) await applier.apply([batch]);

    // The first batch found its offset row created at 0 and needed no second pass under the locks;
    // it claimed the counter, and each later one was planned on the counter its predecessor left.
    expect(lockNext).not.toHaveBeenCalled();
    expect(claim).toHaveBeenCalledTimes(1);
    expect(confirm).toHaveBeenCalledTimes(3);
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });

  it('applies each batch on a cold cache loading only the endpoints its commands name, as one pass would', async () => {
    const dataSource = await freshDatabase();
    const repositories = projectionRepositories();
    const wholeLoads = jest.spyOn(repositories.endpoints, 'forServices');
    const partialLoads = jest.spyOn(repositories.endpoints, 'namedOrMultiAddress');

    // A restart before every batch: each starts from the stored rows.
    for (const batch of inSteps()) await applierOn(dataSource, repositories).apply([batch]);

    const loaded = (spy: jest.SpyInstance) => spy.mock.calls.filter(([, keys]) => (keys as unknown[]).length > 0).length;
    // The endpoint commands' batches read their named endpoints; only the redefinition read them all.
    expect(loaded(partialLoads)).toBe(2);
    expect(loaded(wholeLoads)).toBe(1);
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });

  it('lets a partly loaded service learn the endpoints later commands name, and loads it whole for a redefinition', async () => {
    const dataSource = await freshDatabase();
    const repositories = projectionRepositories();
    const [first, ...rest] = inSteps();
    await applierOn(dataSource).apply([first]);
    const learned = jest.spyOn(repositories.endpoints, 'named');
    const wholeLoads = jest.spyOn(repositories.endpoints, 'forServices');

    const restarted = applierOn(dataSource, repositories);
    for (const batch of rest) await restarted.apply([batch]);

    // The second batch found the service cached with only the first batch's endpoints.
    expect(learned).toHaveBeenCalledTimes(1);
    expect(wholeLoads.mock.calls.filter(([, keys]) => keys.length > 0)).toHaveLength(1);
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });

  it('applies under the locks when another writer moved the counter a transaction was planned on, and versions go on without a gap', async () => {
    const dataSource = await freshDatabase();
    const other = await anotherProcessOn(dataSource);
    const repositories = projectionRepositories();
    const lockNext = jest.spyOn(repositories.offsets, 'lockNext');
    const claim = jest.spyOn(repositories.offsets, 'claim');
    const [first, second, ...rest] = inSteps();
    const applier = applierOn(dataSource, repositories);
    await applier.apply([first]);
    // Another projector, on another partition, took resourceVersions meanwhile.
    await applierOn(other).apply([batchOf(serviceLog('api').slice(0, 1), 1)]);

    await applier.apply([second]);
    for (const batch of rest) await applier.apply([batch]);

    // The planned second batch rolled back and was applied under the locks; the rest claimed first.
    expect(lockNext).toHaveBeenCalledTimes(1);
    expect(claim).toHaveBeenCalledTimes(1 + rest.length);
    const rows = await snapshot(dataSource);
    const versions = rows.slice_changes.map((r) => Number(r.resource_version)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => versions[0] + i));
    expect(Number(rows.resource_version_counter[0].value)).toBe(versions[versions.length - 1]);
    const web = (slices: string[]) => slices.filter((slice) => JSON.parse(slice).service_name === 'web');
    expect(web(withoutVersions(rows).endpoint_slices)).toEqual(withoutVersions(once).endpoint_slices);
  });

  it('commits a planned transaction and a second one started beside it, each batch exactly once', async () => {
    const dataSource = await freshDatabase();
    const repositories = projectionRepositories();
    const lockNext = jest.spyOn(repositories.offsets, 'lockNext');
    const claim = jest.spyOn(repositories.offsets, 'claim');
    const applier = applierOn(dataSource, repositories);
    const other = serviceLog('api');
    await applier.apply([batchOf(log.slice(0, 121))]);
    // The other service cached and its offset row there: its claim goes out at once.
    await applier.apply([batchOf(other.slice(0, 121), 1)]);
    // The first is alone, so planned; the second starts as the first opens, before it judges, so it claims.
    const confirmOnce = repositories.offsets.confirm.bind(repositories.offsets);
    let second: Promise<unknown> | undefined;
    const confirm = jest.spyOn(repositories.offsets, 'confirm').mockImplementationOnce((...args) => {
      second = applier.apply([batchOf(other.slice(121, 122), 1)]);
      return confirmOnce(...args);
    });

    await applier.apply([batchOf(log.slice(121))]);
    await second;

    expect(confirm).toHaveBeenCalledTimes(1);
    // The first batch and the second one beside the planned one.
    expect(claim).toHaveBeenCalledTimes(2);
    // The claim waits until the planned statement is sent, but the two go on different connections:
    // when the claim still reaches Postgres first, the planned one finds the counter moved, rolls
    // back and is applied once more under the locks, at most that once.
    expect(lockNext.mock.calls.length).toBeLessThanOrEqual(1);
    const rows = await snapshot(dataSource);
    expect(rows.consumer_offsets.map((r) => [r.partition, r.next_offset])).toEqual([
      [0, log.length],
      [1, 122],
    ]);
    const versions = rows.slice_changes.map((r) => Number(r.resource_version)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => versions[0] + i));
    expect(Number(rows.resource_version_counter[0].value)).toBe(versions[versions.length - 1]);
    // Each event reached each slice it changed in one change only.
    const applied = rows.slice_changes.flatMap((r) => (r.event_ids as string[]).map((id) => `${String(r.name)} ${id}`));
    expect(new Set(applied).size).toBe(applied.length);
  });

  it('applies a lone batch planned on the counter in one round trip once the connection has prepared its statements', async () => {
    const dataSource = await freshDatabase();
    const applier = applierOn(dataSource);
    await applier.apply([batchOf(log.slice(0, 121))]);
    const queries = jest.spyOn(Client.prototype, 'query');
    const perBatch: number[] = [];
    // Single-endpoint commands, one per batch, all of one shape.
    for (const n of [130, 131, 132, 133, 134, 135]) {
      const event: RecordedEvent = {
        event: { type: 'EndpointRegistered', data: { namespace: 'default', serviceName: 'web', endpoint: endpoint(n) } },
        metadata: { id: `single-${n}`, time: '2026-01-01T00:01:00.000Z', actor: 'test', commandId: `single-${n}`, commandSize: 1 },
      };
      queries.mockClear();
      const applied = await applier.apply([batchOf([{ ...encodeEvent(event), offset: BigInt(n - 9) }])]);
      expect(applied.appliedEvents).toBe(1);
      perBatch.push(queries.mock.calls.length);
    }
    queries.mockRestore();

    // BEGIN, the first statement, the writes and COMMIT: apart while the connection prepares them, then one query.
    expect(perBatch.slice(-3)).toEqual([1, 1, 1]);
    const [{ n }]: { n: string }[] = await dataSource.query("SELECT count(*) AS n FROM registry_endpoints WHERE id LIKE '10.0.0.13_'");
    expect(Number(n)).toBe(6);
  });

  it('applies under the locks when another instance wrote a service since this one cached it', async () => {
    const dataSource = await freshDatabase();
    const other = await anotherProcessOn(dataSource);
    const repositories = projectionRepositories();
    const lockNext = jest.spyOn(repositories.offsets, 'lockNext');
    const [first, second, ...rest] = inSteps();
    const applier = applierOn(dataSource, repositories);
    await applier.apply([first]);
    // A rebalance moved the partition away and back: the other instance applied the second batch.
    expect((await applierOn(other).apply([second])).appliedEvents).toBe(second.messages.length);

    for (const batch of rest) await applier.apply([batch]);

    // The stale cached service was caught by the planned transaction's first statement and applied
    // again from the stored rows.
    expect(lockNext).toHaveBeenCalledTimes(1);
    expect(withoutVersions(await snapshot(dataSource))).toEqual(withoutVersions(once));
  });
});
