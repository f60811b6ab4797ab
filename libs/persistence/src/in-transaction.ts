import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryResult } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

export type Queryable = Pick<EntityManager, 'query'>;

/** Each transaction in flight by its manager, so that `commitWith` finds the transaction of a `tx`. */
const transactions = new WeakMap<EntityManager, EarlyTransaction<unknown>>();

/**
 * A READ COMMITTED transaction: every pooled connection has that as its default (dataSourceOptions),
 * so no SET TRANSACTION round trip follows the BEGIN. Its BEGIN is sent at once, with the opening
 * statement when there is one, and awaited only when `run` starts: the round trip overlaps whatever
 * the caller computes in between (the projector judges its commands meanwhile). Exactly one of
 * `run` and `abandon` must follow; either returns the connection. Inside `run` use only `tx`: on the
 * embedded database another connection would wait forever.
 */
export class EarlyTransaction<O = void> {
  /** What the opening statement returned, once it and the BEGIN have run. */
  readonly opened: Promise<O>;
  private readonly runner: QueryRunner;
  private readonly client: Promise<PoolClient>;
  private begun = false;
  private committed = false;

  /**
   * `opening` sends one statement on the Queryable it is given: the statement runs prepared, right
   * after the BEGIN and in the same round trip once this connection has prepared it.
   */
  constructor(dataSource: DataSource, opening?: (first: Queryable) => Promise<O>) {
    this.runner = dataSource.createQueryRunner();
    transactions.set(this.runner.manager, this);
    this.client = this.runner.connect() as Promise<PoolClient>;
    const first: Queryable = { query: <T>(sql: string, parameters: unknown[] = []) => this.begin<T>(sql, parameters) };
    this.opened = opening ? opening(first) : this.begin<O>();
    // Observed by run or abandon; this keeps a failed BEGIN from counting as unhandled meanwhile.
    this.opened.catch(() => undefined);
  }

  async run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      await this.opened;
      const result = await work(this.runner.manager);
      if (!this.committed) await this.commitWith();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    } finally {
      await this.release();
    }
  }

  async abandon(): Promise<void> {
    await this.opened.catch(() => undefined);
    await this.rollback();
    await this.release();
  }

  /**
   * COMMIT, after `sql` when given: one round trip for both once this connection has prepared the
   * statement. A statement that fails leaves the transaction to roll back; the COMMIT never runs.
   */
  async commitWith(sql?: string, parameters: readonly unknown[] = []): Promise<void> {
    const client = await this.client;
    if (sql === undefined) await client.query('COMMIT');
    else if (isPrepared(client, sql)) await client.query(`${execution(sql, parameters)}; COMMIT`);
    else {
      await queryPrepared(this.runner.manager, sql, parameters);
      await client.query('COMMIT');
    }
    this.committed = true;
  }

  private async begin<T>(sql?: string, parameters: readonly unknown[] = []): Promise<T> {
    const client = await this.client;
    this.begun = true;
    if (sql !== undefined && isPrepared(client, sql)) {
      const [, result] = (await client.query(`BEGIN; ${execution(sql, parameters)}`)) as unknown as QueryResult[];
      return result.rows as T;
    }
    await client.query('BEGIN');
    return (sql === undefined ? undefined : await queryPrepared(this.runner.manager, sql, parameters)) as T;
  }

  private async rollback(): Promise<void> {
    if (this.begun && !this.committed) await (await this.client).query('ROLLBACK').catch(() => undefined);
  }

  private async release(): Promise<void> {
    transactions.delete(this.runner.manager);
    await this.runner.release();
  }
}

/** `work` in an EarlyTransaction with nothing to compute before it. */
export const inTransaction = <T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> => new EarlyTransaction(dataSource).run(work);

/** Ends the EarlyTransaction whose `tx` this is with `sql` and its COMMIT (see EarlyTransaction.commitWith). */
export const commitWith = (tx: Queryable, sql?: string, parameters: readonly unknown[] = []): Promise<void> => {
  const transaction = transactions.get(tx as EntityManager);
  if (transaction === undefined) throw new Error('commitWith takes the tx of an EarlyTransaction in flight');
  return transaction.commitWith(sql, parameters);
};

/** Statements with more parts than this are rare shapes: planned per call rather than kept on every connection. */
const MAX_PREPARED_LENGTH = 16 * 1024;

/** The statements prepared on each connection: only those can share a round trip with BEGIN or COMMIT. */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

const statementName = (sql: string): string => `registry_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;

const isPrepared = (client: PoolClient, sql: string): boolean => sql.length <= MAX_PREPARED_LENGTH && preparedOn.get(client)?.has(statementName(sql)) === true;

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
  const name = statementName(sql);
  const { rows } = await on.query({ name, text: sql, values: [...parameters] });
  if (!(on instanceof Pool)) {
    const names = preparedOn.get(on) ?? new Set<string>();
    preparedOn.set(on, names.add(name));
  }
  return rows as T;
};

/**
 * The statement prepared for `sql` run by an EXECUTE, for a simple query that carries other
 * statements too: each parameter as the text node-postgres would bind (bytes in bytea's hex form),
 * dollar-quoted, so nothing in it is escaped or read as SQL, and Postgres casts it to the
 * parameter's type as it would a bound value.
 */
const execution = (sql: string, parameters: readonly unknown[]): string =>
  parameters.length === 0 ? `EXECUTE ${statementName(sql)}` : `EXECUTE ${statementName(sql)}(${parameters.map(literal).join(', ')})`;

const literal = (value: unknown): string => {
  const prepared = prepareValue(value);
  if (prepared === null) return 'NULL';
  const text = typeof prepared === 'string' ? prepared : `\\x${prepared.toString('hex')}`;
  let tag = '$q$';
  for (let i = 0; endsEarly(text, tag); i++) tag = `$q${i}$`;
  return `${tag}${text}${tag}`;
};

/** Whether `tag` occurs in `text` followed by `tag` before the appended one: the quote would end there. */
const endsEarly = (text: string, tag: string): boolean => {
  const tail = text.slice(-(tag.length - 1));
  return text.includes(tag) || (tail + tag).indexOf(tag) < tail.length;
};

/** The pg pool behind a DataSource's manager, when it has one. */
const poolOf = (manager: Partial<EntityManager>): Pool | undefined => {
  const master = (manager.connection?.driver as { master?: unknown } | undefined)?.master;
  return master instanceof Pool ? master : undefined;
};
