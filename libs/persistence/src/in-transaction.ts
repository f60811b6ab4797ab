import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryResult } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

export type Queryable = Pick<EntityManager, 'query'>;

/** Each transaction in flight by its manager, so that `commitWith` finds the transaction of a `tx`. */
const transactions = new WeakMap<EntityManager, EarlyTransaction<unknown>>();

interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

interface Opening extends Statement {
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A READ COMMITTED transaction: every pooled connection has that as its default (dataSourceOptions),
 * so no SET TRANSACTION round trip follows the BEGIN. Its BEGIN is sent at once, with the opening
 * statement when there is one, and awaited only when `run` starts: the round trip overlaps whatever
 * the caller computes in between (the projector judges its commands meanwhile). `deferred` sends the
 * BEGIN and the opening with the transaction's first statement instead, in the same round trip: a
 * transaction that writes one statement and commits then takes one round trip in all.
 *
 * Statements share a round trip as EXECUTEs of statements prepared on the connection (see
 * queryPrepared); until the connection has prepared them, each goes on its own. Exactly one of
 * `run` and `abandon` must follow; either returns the connection. Inside `run` use only `tx`: on the
 * embedded database another connection would wait forever.
 */
export class EarlyTransaction<O = void> {
  /** What the opening statement returned, once it and the BEGIN have run. */
  readonly opened: Promise<O>;
  /** Settles once the BEGIN has been handed to the connection, whatever came of it. */
  readonly sent: Promise<void>;
  private markSent!: () => void;
  private readonly runner: QueryRunner;
  private readonly client: Promise<PoolClient>;
  private readonly deferred: boolean;
  /** The opening statement until it is sent. */
  private opening?: Opening;
  private begun = false;
  private committed = false;

  /** `opening` sends one statement, on the Queryable it is given, which runs prepared right after the BEGIN. */
  constructor(dataSource: DataSource, opening?: (first: Queryable) => Promise<O>, { deferred = false } = {}) {
    this.deferred = deferred;
    this.sent = new Promise((resolve) => (this.markSent = resolve));
    this.runner = dataSource.createQueryRunner();
    const manager = this.runner.manager;
    transactions.set(manager, this);
    // Every statement on tx goes through the transaction, so that the BEGIN goes first whenever it is sent.
    manager.query = (<T>(sql: string, parameters: unknown[] = []) => this.send({ sql, parameters }, { prepared: false }) as Promise<T>) as EntityManager['query'];
    this.client = this.runner.connect() as Promise<PoolClient>;
    const first: Queryable = {
      query: <T>(sql: string, parameters: unknown[] = []) => {
        const rows = new Promise<unknown[]>((resolve, reject) => (this.opening = { sql, parameters, resolve, reject }));
        if (!deferred) this.send().catch(() => undefined);
        return rows as Promise<T>;
      },
    };
    this.opened = opening ? opening(first) : deferred ? Promise.resolve(undefined as O) : this.send().then(() => undefined as O);
    // Observed by run or abandon; this keeps a failed BEGIN from counting as unhandled meanwhile.
    this.opened.catch(() => undefined);
  }

  async run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      if (!this.deferred) await this.opened;
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
    if (!this.deferred) await this.opened.catch(() => undefined);
    await this.rollback();
    await this.release();
  }

  /** COMMIT, after `sql` when given. A statement that fails leaves the transaction to roll back; the COMMIT never runs. */
  async commitWith(sql?: string, parameters: readonly unknown[] = []): Promise<void> {
    await this.send(sql === undefined ? undefined : { sql, parameters }, { commit: true });
    this.committed = true;
  }

  /** `sql` as a prepared statement of this transaction (see queryPrepared). */
  prepared<T>(sql: string, parameters: readonly unknown[]): Promise<T> {
    return this.send({ sql, parameters }) as Promise<T>;
  }

  /**
   * Sends what is still unsent of the BEGIN and the opening, then `statement`, then COMMIT when
   * asked: one simple query when there are several and each is prepared on the connection, else one
   * at a time (a statement alone is bound, not spelled out). Returns `statement`'s rows.
   */
  private async send(statement?: Statement, { commit = false, prepared = true } = {}): Promise<unknown[]> {
    // Taken before any await: a statement sent meanwhile queues behind these on the connection.
    const begin = !this.begun;
    this.begun = true;
    const opening = this.opening;
    this.opening = undefined;
    const client = await this.client;
    const together = [begin, opening, statement, commit].filter(Boolean).length > 1;
    const nameOfOpening = together && opening ? preparedName(client, opening.sql) : undefined;
    const nameOfStatement = together && statement && prepared ? preparedName(client, statement.sql) : undefined;
    try {
      let rows: unknown[] = [];
      if (together && (opening === undefined || nameOfOpening) && (statement === undefined || nameOfStatement)) {
        const texts = [
          begin && 'BEGIN',
          opening && execution(nameOfOpening as string, opening.parameters),
          statement && execution(nameOfStatement as string, statement.parameters),
          commit && 'COMMIT',
        ].filter((t): t is string => typeof t === 'string');
        const query = client.query(texts.join('; '));
        this.markSent();
        const results = [(await query) as unknown as QueryResult | QueryResult[]].flat();
        const at = begin ? 1 : 0;
        opening?.resolve(results[at].rows);
        if (statement) rows = results[at + (opening ? 1 : 0)].rows;
      } else {
        if (begin) {
          const query = client.query('BEGIN');
          this.markSent();
          await query;
        }
        if (opening) opening.resolve(await runPrepared(client, opening.sql, opening.parameters));
        if (statement) rows = prepared ? await runPrepared(client, statement.sql, statement.parameters) : await this.runner.query(statement.sql, [...statement.parameters]);
        if (commit) await client.query('COMMIT');
      }
      return rows;
    } catch (error) {
      this.markSent();
      opening?.reject(error);
      throw error;
    }
  }

  private async rollback(): Promise<void> {
    if (this.begun && !this.committed) await this.client.then((client) => client.query('ROLLBACK')).catch(() => undefined);
  }

  private async release(): Promise<void> {
    this.markSent();
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

/** The name of the statement prepared for `sql` on `client`, if it has been. */
const preparedName = (client: PoolClient, sql: string): string | undefined => {
  if (sql.length > MAX_PREPARED_LENGTH) return undefined;
  const name = statementName(sql);
  return preparedOn.get(client)?.has(name) ? name : undefined;
};

/**
 * Runs `sql` as a named prepared statement: parsed once per connection and, after Postgres's first
 * few runs, planned once too. The projector's combined statements take longer to plan than to run
 * (planning was 2 of 3 ms for one command's writes), and the API's lookups under load took as long
 * to plan as to run. Inside a transaction on its connection, outside one on whichever pooled
 * connection is free; long texts run as ordinary queries.
 */
export const queryPrepared = async <T>(q: Queryable, sql: string, parameters: readonly unknown[]): Promise<T> => {
  const transaction = transactions.get(q as EntityManager);
  if (transaction !== undefined) return transaction.prepared(sql, parameters);
  const manager = q as Partial<EntityManager>;
  if (manager.queryRunner) return (await runPrepared((await manager.queryRunner.connect()) as PoolClient, sql, parameters)) as T;
  const on = poolOf(manager);
  if (on === undefined || sql.length > MAX_PREPARED_LENGTH) return q.query(sql, [...parameters]) as Promise<T>;
  const { rows } = await on.query({ name: statementName(sql), text: sql, values: [...parameters] });
  return rows as T;
};

/** Runs `sql` prepared on `client` (long texts as ordinary queries), and notes it prepared there. */
const runPrepared = async (client: PoolClient, sql: string, parameters: readonly unknown[]): Promise<unknown[]> => {
  if (sql.length > MAX_PREPARED_LENGTH) return (await client.query(sql, [...parameters])).rows;
  const name = statementName(sql);
  const { rows } = await client.query({ name, text: sql, values: [...parameters] });
  const names = preparedOn.get(client) ?? new Set<string>();
  preparedOn.set(client, names.add(name));
  return rows;
};

/**
 * The prepared statement `name` run by an EXECUTE, for a simple query that carries other
 * statements too: each parameter as the text node-postgres would bind (bytes in bytea's hex form),
 * dollar-quoted, so nothing in it is escaped or read as SQL, and Postgres casts it to the
 * parameter's type as it would a bound value.
 */
const execution = (name: string, parameters: readonly unknown[]): string =>
  parameters.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name}(${parameters.map(literal).join(', ')})`;

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
