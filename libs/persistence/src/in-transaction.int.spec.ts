import { isolatedConfig } from '@lib/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { DeferredWrites } from './deferred-writes';
import { EarlyTransaction, inTransaction, queryPrepared } from './in-transaction';

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

describe('EarlyTransaction: BEGIN with the opening statement, the last statement with COMMIT (real Postgres)', () => {
  let dataSource: DataSource;
  /** The texts node-postgres sends, to count round trips: a simple query is one. */
  let sent: string[];

  beforeAll(async () => {
    const url = (await isolatedConfig()).databaseUrl as string;
    // One connection: the second transaction finds the first one's statements prepared.
    dataSource = new DataSource(dataSourceOptions({ url, schema: 'public', poolSize: 1 }));
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE literals (id int PRIMARY KEY, txt text, doc jsonb, bytes bytea, words text[], n bigint)');
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });
  beforeEach(() => {
    sent = [];
    const query = Client.prototype.query;
    jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const config = args[0];
      sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const INSERT = 'INSERT INTO literals (id, txt, doc, bytes, words, n) VALUES ($1, $2, $3::jsonb, $4, $5::text[], $6)';
  const OPENING = 'SELECT pg_current_xact_id()::text AS xid, $1::text AS echo';
  // Every way a dollar-quoted value could end early, quotes, backslashes, bytes and NULL.
  const awkward = (id: number) => [id, "it's $q$ and $q0$ \\x00 \\ ' \" ünï $", JSON.stringify({ tag: '$q', s: 'a"b\\c' }), Buffer.from([0, 36, 113, 36, 255]), ['a"b', 'c,d', '{e}', null], null];

  const transactionOnce = async (id: number) => {
    sent = [];
    const transaction = new EarlyTransaction(dataSource, (first) => queryPrepared<{ xid: string; echo: string }[]>(first, OPENING, ['$q']));
    return transaction.run(async (tx) => {
      const [opened] = await transaction.opened;
      const [{ xid }] = await tx.query('SELECT pg_current_xact_id()::text AS xid');
      const writes = new DeferredWrites(tx);
      await writes.query(INSERT, awkward(id));
      await writes.flush({ commit: true });
      return { opened, xid };
    });
  };

  it('opens and commits in one round trip each once the connection has prepared both statements, and values arrive exact', async () => {
    const first = await transactionOnce(1);
    expect(first.opened).toEqual({ xid: first.xid, echo: '$q' });
    // The first time on a connection: BEGIN, the opening, the current xid, the write and COMMIT apart.
    expect(sent).toHaveLength(5);
    const second = await transactionOnce(2);
    expect(second.opened).toEqual({ xid: second.xid, echo: '$q' });
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^BEGIN; EXECUTE registry_/);
    expect(sent[2]).toMatch(/^EXECUTE registry_\w+\(.*\); COMMIT$/s);
    const rows: unknown[] = await dataSource.query('SELECT id, txt, doc, bytes, words, n FROM literals ORDER BY id');
    const expected = (id: number) => {
      const [, txt, doc, bytes, words, n] = awkward(id);
      return { id, txt, doc: JSON.parse(doc as string), bytes, words, n };
    };
    expect(rows).toEqual([expected(1), expected(2)]);
  });

  it('rolls back when the last statement fails: neither it nor what came before is written', async () => {
    await transactionOnce(3);
    const transaction = new EarlyTransaction(dataSource);
    const failed = transaction.run(async (tx) => {
      await tx.query('INSERT INTO literals (id) VALUES (4)');
      const writes = new DeferredWrites(tx);
      await writes.query(INSERT, awkward(3));
      await writes.flush({ commit: true });
    });
    await expect(failed).rejects.toThrow(/duplicate key/);
    expect(await dataSource.query('SELECT id FROM literals WHERE id >= 3 ORDER BY id')).toEqual([{ id: 3 }]);
    // The connection went back to the pool outside any transaction.
    expect(await inTransaction(dataSource, async (tx) => (await tx.query('SELECT 1 AS one'))[0].one)).toBe(1);
  });
});
