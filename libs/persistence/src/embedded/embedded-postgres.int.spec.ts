import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source';
import { inTransaction } from '../in-transaction';
import { EmbeddedPostgres } from './embedded-postgres';

describe('EmbeddedPostgres (PGlite behind its socket)', () => {
  let directory: string;
  let dataDir: string;
  let embedded: EmbeddedPostgres | undefined;
  let dataSource: DataSource | undefined;

  const open = async () => {
    embedded = await EmbeddedPostgres.start({ dataDir });
    dataSource = await openDataSource(embedded.databaseOptions);
    return dataSource;
  };
  const close = async () => {
    await dataSource?.destroy();
    await embedded?.stop();
    dataSource = undefined;
    embedded = undefined;
  };

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'registry-pglite-'));
    dataDir = join(directory, 'pg');
  });
  afterEach(close);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('creates the cluster once, runs the migrations, and keeps committed rows across a restart', async () => {
    const first = await open();
    await first.query(`INSERT INTO event_log_topics (topic, partitions) VALUES ('kept', 3)`);
    await close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(`${dataDir}.initdb`)).toBe(false);

    const second = await open();
    expect(await second.query(`SELECT partitions FROM event_log_topics WHERE topic = 'kept'`)).toEqual([{ partitions: 3 }]);
  }, 120000);

  // PGlite's single-user wasm backend ignores startup parameters and has no timer signals, so the
  // server-side timeouts do nothing here; and it runs on this process's event loop, so a long
  // statement blocks the client's timers too. What holds: the options are taken, the client-side
  // timeout reports the overrun, and the connection it closes is replaced without a restart.
  it('reports a statement past the client-side query timeout, and serves the next one on a fresh connection', async () => {
    embedded = await EmbeddedPostgres.start({ dataDir });
    const timeouts = { statementTimeoutMs: 300, lockTimeoutMs: 200, idleInTransactionTimeoutMs: 60000, connectTimeoutMs: 3000, queryTimeoutMs: 800, keepAliveMs: 10000 };
    dataSource = await openDataSource({ ...embedded.databaseOptions, timeouts });
    await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toThrow('Query read timeout');
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  }, 120000);

  it('gives every query its own result when queries queue up behind an open transaction', async () => {
    const ds = await open();
    // Every pooled socket connected already, so the queued queries really come from several sockets.
    await Promise.all(Array.from({ length: 4 }, () => ds.query('SELECT 1')));
    let release!: () => void;
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const transaction = inTransaction(ds, async (tx) => {
      await tx.query('SELECT $1::int', [1]);
      entered();
      await held;
    });
    await inside;
    const queued = Promise.all([
      ds.query('SELECT $1::bigint + 1 AS n', [41]),
      ds.query('SELECT $1::text AS s, $2::text AS t', ['group', 'topic']),
      ds.query('SELECT $1::int AS p', [7]),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await transaction;
    expect(await queued).toEqual([[{ n: '42' }], [{ s: 'group', t: 'topic' }], [{ p: 7 }]]);
  }, 120000);

  it('refuses a data directory that is open already, and takes over a lock its dead owner left', async () => {
    await open();
    await expect(EmbeddedPostgres.start({ dataDir })).rejects.toThrow(`${directory} is in use by process ${process.pid}`);
    await close();

    writeFileSync(`${dataDir}.lock`, '999999999 1');
    await open();
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
  }, 120000);

  it('refuses a directory that holds something other than a cluster', async () => {
    const stranger = join(directory, 'not-a-cluster');
    rmSync(stranger, { recursive: true, force: true });
    mkdirSync(stranger);
    writeFileSync(join(stranger, 'notes.txt'), 'mine');
    await expect(EmbeddedPostgres.start({ dataDir: stranger })).rejects.toThrow('holds no Postgres cluster');
    expect(readFileSync(join(stranger, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
