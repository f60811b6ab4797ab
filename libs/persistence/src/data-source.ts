import type { PostgresTimeouts } from '@lib/config';
import { Client, type Pool } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { CreateRegistryTables1764000000000 } from '../../../migrations/1764000000000-CreateRegistryTables';
import { CreateWatchState1764000001000 } from '../../../migrations/1764000001000-CreateWatchState';
import { CreateEmbeddedEventLog1764000006000 } from '../../../migrations/1764000006000-CreateEmbeddedEventLog';
import { CreateAccessAndHistory1764000007000 } from '../../../migrations/1764000007000-CreateAccessAndHistory';
import { CreateEndpointLeases1764000008000 } from '../../../migrations/1764000008000-CreateEndpointLeases';
import { Lz4ToastCompression1764000009000 } from '../../../migrations/1764000009000-Lz4ToastCompression';
import { CreateProjectionTopology1764000010000 } from '../../../migrations/1764000010000-CreateProjectionTopology';
import { EndpointRows1764000011000 } from '../../../migrations/1764000011000-EndpointRows';
import { SliceObjectsAsJson1764000012000 } from '../../../migrations/1764000012000-SliceObjectsAsJson';
import { ByteOrderText1764000013000 } from '../../../migrations/1764000013000-ByteOrderText';
import { SliceObjectsLz41764000014000 } from '../../../migrations/1764000014000-SliceObjectsLz4';
import { ExpectFunction1764000015000 } from '../../../migrations/1764000015000-ExpectFunction';
import { guardAgainstStalledServer } from './stalled-server-guard';

export const MIGRATIONS = [
  CreateRegistryTables1764000000000,
  CreateWatchState1764000001000,
  CreateEmbeddedEventLog1764000006000,
  CreateAccessAndHistory1764000007000,
  CreateEndpointLeases1764000008000,
  Lz4ToastCompression1764000009000,
  CreateProjectionTopology1764000010000,
  EndpointRows1764000011000,
  SliceObjectsAsJson1764000012000,
  ByteOrderText1764000013000,
  SliceObjectsLz41764000014000,
  ExpectFunction1764000015000,
];

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize?: number;
  /** Fail fast instead of hanging when Postgres is unreachable. */
  readonly connectTimeoutMs?: number;
  readonly schema?: string;
  /**
   * Serialize migrations across processes with an advisory lock (API replicas and projectors may
   * start together on a fresh database). Off for the embedded database: one process owns it.
   */
  readonly lockMigrations?: boolean;
  /** Server- and client-side bounds on every statement (PG_*_TIMEOUT_MS); none for the tools. */
  readonly timeouts?: PostgresTimeouts;
}

const MIGRATION_LOCK = 0x5e1c0de;

/** One options object for the apps, the migrate tool and the tests; migrations only, never synchronize. */
export const dataSourceOptions = (options: DatabaseOptions): DataSourceOptions => ({
  type: 'postgres',
  url: options.url,
  schema: options.schema,
  synchronize: false,
  migrations: MIGRATIONS,
  migrationsTableName: 'registry_migrations',
  extra: {
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? options.timeouts?.connectTimeoutMs ?? 3000,
    // Every transaction is READ COMMITTED by the session's default (see inTransaction), whatever
    // the server's configuration says.
    options: `${options.schema ? `-c search_path=${options.schema} ` : ''}-c default_transaction_isolation=read\\ committed`,
    ...(options.timeouts ? sessionTimeouts(options.timeouts) : {}),
  },
});

/**
 * The server cancels long statements and lock waits and ends sessions idle in a transaction (all
 * sent as startup parameters, so every pooled connection has them); the client stops waiting for a
 * server that no longer answers at all, which only the client can notice; keepalive closes a
 * socket whose peer is gone.
 */
const sessionTimeouts = (timeouts: PostgresTimeouts) => ({
  statement_timeout: timeouts.statementTimeoutMs,
  lock_timeout: timeouts.lockTimeoutMs,
  idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
  query_timeout: timeouts.queryTimeoutMs,
  keepAlive: true,
  keepAliveInitialDelayMillis: timeouts.keepAliveMs,
});

export const openDataSource = async (options: DatabaseOptions): Promise<DataSource> => {
  // Migrations run without the statement timeouts: rewriting a large table may take minutes.
  await migrate({ ...options, connectTimeoutMs: options.connectTimeoutMs ?? options.timeouts?.connectTimeoutMs, timeouts: undefined });
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  if (options.timeouts) guardAgainstStalledServer((dataSource.driver as unknown as { master: Pool }).master);
  return dataSource;
};

const migrate = async (options: DatabaseOptions): Promise<void> => {
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  try {
    if (options.lockMigrations === false) {
      await dataSource.runMigrations({ transaction: 'each' });
    } else {
      // A session lock on a connection of its own: ending the session releases it, also on a crash.
      const lock = new Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 3000 });
      await lock.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await lock.end();
      }
    }
  } finally {
    await dataSource.destroy();
  }
};
