import { isolatedConfig } from '@lib/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { inTransaction } from './in-transaction';

/** The projection's reasoning assumes READ COMMITTED: it must hold whatever the server's default says. */
describe('inTransaction (real Postgres)', () => {
  let dataSource: DataSource;
  let url: string;

  beforeAll(async () => {
    url = (await isolatedConfig()).databaseUrl as string;
    const admin = new DataSource(dataSourceOptions({ url }));
    await admin.initialize();
    // A server (here: this database) configured for another isolation level.
    const [{ db }] = await admin.query('SELECT current_database() AS db');
    await admin.query(`ALTER DATABASE "${db}" SET default_transaction_isolation = 'serializable'`);
    await admin.destroy();
    dataSource = new DataSource(dataSourceOptions({ url, schema: 'public' }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('runs READ COMMITTED on every pooled connection, with no SET TRANSACTION of its own', async () => {
    const levels = await Promise.all(
      Array.from({ length: 3 }, () => inTransaction(dataSource, async (tx) => (await tx.query('SHOW transaction_isolation'))[0].transaction_isolation as string)),
    );
    expect(levels).toEqual(['read committed', 'read committed', 'read committed']);
  });
});
