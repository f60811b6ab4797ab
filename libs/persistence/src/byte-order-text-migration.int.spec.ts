import { DataSource } from 'typeorm';
import { MIGRATIONS } from './data-source';
import { migratedDatabase } from './testing/migrated-database';
import { ByteOrderText1764000013000 } from '../../../migrations/1764000013000-ByteOrderText';

const textColumnsNotByteOrdered = (dataSource: DataSource): Promise<{ table_name: string; column_name: string }[]> =>
  dataSource.query(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name <> 'registry_migrations'
        AND (data_type = 'text' OR udt_name = '_text') AND collation_name IS DISTINCT FROM 'C'
      ORDER BY table_name, column_name`,
  );

/** Text compares bytes everywhere, as Kubernetes orders names, whatever the database's locale. */
describe('migration ByteOrderText: every text column of the schema compares bytes (real Postgres)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await migratedDatabase();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('leaves no text column under the database collation, including those of tables added by later migrations', async () => {
    expect(MIGRATIONS).toContain(ByteOrderText1764000013000);
    expect(await textColumnsNotByteOrdered(dataSource)).toEqual([]);
  });

  it('keeps the rows and orders keys by their bytes (a hyphen before a letter, upper case before lower)', async () => {
    await dataSource.query(
      `INSERT INTO endpoint_slices (namespace, name, service_name, address_type, labels, resource_version, object)
       SELECT 'default', n, 'web', 'IPv4', '{}', 1, '{}' FROM unnest(ARRAY['web-b', 'web-a', 'webz', 'web-Z']) AS n`,
    );
    const rows: { name: string }[] = await dataSource.query(`SELECT name FROM endpoint_slices WHERE namespace = 'default' ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['web-Z', 'web-a', 'web-b', 'webz']);

    // Down and up again: the rows stay, and the columns are byte-ordered once more.
    const runner = dataSource.createQueryRunner();
    await new ByteOrderText1764000013000().down(runner);
    expect((await textColumnsNotByteOrdered(dataSource)).length).toBeGreaterThan(0);
    await new ByteOrderText1764000013000().up(runner);
    await runner.release();
    expect(await textColumnsNotByteOrdered(dataSource)).toEqual([]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM endpoint_slices WHERE namespace = 'default'`)).toEqual([{ n: 4 }]);
  });
});
