import { createHash } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * A READ COMMITTED transaction: every pooled connection has that as its default (dataSourceOptions),
 * so no SET TRANSACTION round trip follows the BEGIN. Its BEGIN is sent at once and awaited only
 * when `run` starts: the round trip overlaps whatever the caller computes in between (the projector
 * judges its commands meanwhile). Exactly one of `run` and `abandon` must follow; either returns the
 * connection. Inside `run` use only `tx`: on the embedded database another connection would wait
 * forever.
 */
export class EarlyTransaction {
  private readonly runner: QueryRunner;
  private readonly begun: Promise<void>;

  constructor(dataSource: DataSource) {
    this.runner = dataSource.createQueryRunner();
    this.begun = this.runner.connect().then(() => this.runner.startTransaction());
    // Observed by run or abandon; this keeps a failed BEGIN from counting as unhandled meanwhile.
    this.begun.catch(() => undefined);
  }

  async run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      await this.begun;
      const result = await work(this.runner.manager);
      await this.runner.commitTransaction();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    } finally {
      await this.runner.release();
    }
  }

  async abandon(): Promise<void> {
    await this.begun.catch(() => undefined);
    await this.rollback();
    await this.runner.release();
  }

  private async rollback(): Promise<void> {
    if (this.runner.isTransactionActive) await this.runner.rollbackTransaction().catch(() => undefined);
  }
}

/** `work` in an EarlyTransaction with nothing to compute before it. */
export const inTransaction = <T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> => new EarlyTransaction(dataSource).run(work);

export type Queryable = Pick<EntityManager, 'query'>;

/** Statements with more parts than this are rare shapes: planned per call rather than kept on every connection. */
const MAX_PREPARED_LENGTH = 16 * 1024;

/**
 * Runs `sql` as a named prepared statement: parsed once per connection and, after Postgres's first
 * few runs, planned once too. The projector's combined statements take longer to plan than to run
 * (planning was 2 of 3 ms for one command's writes), and the API's lookups under load took as long
 * to plan as to run. Inside a transaction on its connection, outside one on whichever pooled
 * connection is free; long texts run as ordinary queries.
 */
export const queryPrepared = async <T>(q: Queryable, sql: string, parameters: readonly unknown[]): Promise<T> => {
  const manager = q as Partial<EntityManager>;
  const on = manager.queryRunner ? ((await manager.queryRunner.connect()) as PoolClient) : poolOf(manager);
  if (on === undefined || sql.length > MAX_PREPARED_LENGTH) return q.query(sql, [...parameters]) as Promise<T>;
  const name = `registry_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
  const { rows } = await on.query({ name, text: sql, values: [...parameters] });
  return rows as T;
};

/** The pg pool behind a DataSource's manager, when it has one. */
const poolOf = (manager: Partial<EntityManager>): Pool | undefined => {
  const master = (manager.connection?.driver as { master?: unknown } | undefined)?.master;
  return master instanceof Pool ? master : undefined;
};
