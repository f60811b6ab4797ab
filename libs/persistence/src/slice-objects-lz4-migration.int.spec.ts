import { DataSource } from 'typeorm';
import { MIGRATIONS } from './data-source';
import { migratedDatabase } from './testing/migrated-database';
import { EndpointSliceRepository } from './repositories/endpoint-slice.repository';
import { packSlice } from './repositories/packed-slice';
import { SliceChangeRepository } from './repositories/slice-change.repository';
import { SliceObjectsLz41764000014000 } from '../../../migrations/1764000014000-SliceObjectsLz4';

const slice = (name: string, address: string) => ({
  namespace: 'default',
  name,
  addressType: 'IPv4',
  labels: { 'kubernetes.io/service-name': 'web' },
  ports: [],
  endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
});

const columnType = async (dataSource: DataSource, table: string): Promise<{ data_type: string; storage: string }> => {
  const [row]: { data_type: string; storage: string }[] = await dataSource.query(
    `SELECT c.data_type, a.attstorage AS storage FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = c.table_name::regclass AND a.attname = c.column_name
      WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.column_name = 'object'`,
    [table],
  );
  return row;
};

/** Slice objects stored as the projector packs them (a tag and one LZ4 block); rows written as JSON before stay readable, and down restores JSON. */
describe('migration SliceObjectsLz4: slice objects packed in bytea (real Postgres)', () => {
  let dataSource: DataSource;
  const slices = new EndpointSliceRepository();
  const changes = new SliceChangeRepository();
  const migration = new SliceObjectsLz41764000014000();

  beforeAll(async () => {
    dataSource = await migratedDatabase();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('stores bytea kept out of TOAST compression, reads JSON rows from before and packed rows alike, and goes down and up keeping every slice', async () => {
    expect(MIGRATIONS).toContain(SliceObjectsLz41764000014000);
    for (const table of ['endpoint_slices', 'slice_changes']) expect(await columnType(dataSource, table)).toEqual({ data_type: 'bytea', storage: 'e' });

    const runner = dataSource.createQueryRunner();
    await migration.down(runner);
    expect(await columnType(dataSource, 'endpoint_slices')).toMatchObject({ data_type: 'json' });
    // A row written before the migration: its object is JSON text.
    await dataSource.query(
      `INSERT INTO endpoint_slices (namespace, name, service_name, address_type, labels, resource_version, object) VALUES ('default', 'web-old', 'web', 'IPv4', '{}', 1, $1::json)`,
      [JSON.stringify(slice('web-old', '10.0.0.1'))],
    );
    await dataSource.query(
      `INSERT INTO slice_changes (resource_version, type, namespace, name, service_name, object, event_ids) VALUES (1, 'ADDED', 'default', 'web-old', 'web', $1::json, '{}')`,
      [JSON.stringify(slice('web-old', '10.0.0.1'))],
    );
    await migration.up(runner);
    // A row written after it: packed.
    await dataSource.query(
      `INSERT INTO endpoint_slices (namespace, name, service_name, address_type, labels, resource_version, object) VALUES ('default', 'web-new', 'web', 'IPv4', '{}', 2, $1)`,
      [packSlice(JSON.stringify(slice('web-new', '10.0.0.2')))],
    );
    await dataSource.query(
      `INSERT INTO slice_changes (resource_version, type, namespace, name, service_name, object, event_ids) VALUES (2, 'ADDED', 'default', 'web-new', 'web', $1, '{}')`,
      [packSlice(JSON.stringify(slice('web-new', '10.0.0.2')))],
    );
    const expected = [slice('web-new', '10.0.0.2'), slice('web-old', '10.0.0.1')];
    const read = async () => ({
      snapshot: (await slices.snapshot(dataSource.manager, { namespace: 'default' })).slices.map((s) => s.slice),
      log: (await changes.readRange(dataSource.manager, { afterRv: 0n, limit: 10 })).map((c) => c.slice),
    });
    expect(await read()).toEqual({ snapshot: expected, log: [expected[1], expected[0]] });

    await migration.down(runner);
    const stored: { object: unknown }[] = await dataSource.query(`SELECT object FROM endpoint_slices WHERE namespace = 'default' ORDER BY name`);
    expect(stored.map((r) => r.object)).toEqual(expected);
    await migration.up(runner);
    await runner.release();
    expect(await read()).toEqual({ snapshot: expected, log: [expected[1], expected[0]] });
  });
});
