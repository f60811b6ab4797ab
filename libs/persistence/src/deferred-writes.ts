import { commitWith, queryPrepared, type Queryable } from './in-transaction';
import { MAX_CHUNK_CHARS } from './repositories/json-chunks';

interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const DATA_MODIFYING = /^\s*(INSERT|UPDATE|DELETE)\b/i;

/** A text parameter this long is JSON (a chunk of rows), cast the same way by every statement that takes it. */
const SHARED_PARAMETER_CHARS = 1024;

/** A JSON chunk (by value) or a packed slice (the same Buffer): sent once however many statements take it. */
const isShared = (value: unknown): boolean =>
  (typeof value === 'string' && value.length >= SHARED_PARAMETER_CHARS) || Buffer.isBuffer(value);

/**
 * Several statements as one: each data-modifying statement becomes a CTE (Postgres runs every one
 * of them to completion, read or not), each SELECT a subquery of the main query, and each
 * statement's `$n` parameters are renumbered after those of the statements before it. A JSON
 * chunk or a packed slice given to several statements is sent once: Postgres parses each
 * parameter at Bind.
 */
export const combineStatements = (statements: readonly Statement[]): Statement => {
  const params: unknown[] = [];
  const shared = new Map<unknown, number>();
  const ctes: string[] = [];
  const selects: string[] = [];
  for (const statement of statements) {
    const numbers = statement.params.map((value) => {
      if (isShared(value)) {
        const known = shared.get(value);
        if (known !== undefined) return known;
        shared.set(value, params.length + 1);
      }
      return params.push(value);
    });
    const sql = statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${numbers[Number(n) - 1]}`);
    if (DATA_MODIFYING.test(sql)) ctes.push(`w${ctes.length} AS (${sql})`);
    else selects.push(`(${sql}) AS s${selects.length}`);
  }
  const main = selects.length > 0 ? `SELECT 1 FROM ${selects.join(', ')}` : 'SELECT 1';
  return { sql: ctes.length > 0 ? `WITH ${ctes.join(', ')} ${main}` : main, params };
};

/**
 * A Queryable for writes whose results nobody reads: they are held and sent together by `flush`,
 * one statement and one round trip instead of one each. Only for statements that touch different
 * rows, without a WITH of their own (Postgres allows data-modifying CTEs at the top level only) and
 * whose order does not matter: in one statement they all see the same snapshot.
 */
export class DeferredWrites implements Queryable {
  private pending: Statement[] = [];
  private chars = 0;
  /** The JSON chunks held: one sent to several statements is held (and counted) once. */
  private readonly chunks = new Set<string>();
  /** A statement sent when the held parameters reached the bound, still running. */
  private sent?: Promise<void>;

  constructor(private readonly target: Queryable) {}

  /** Resolves with no rows: a deferred write has no result to read. */
  async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T> {
    if (/^\s*WITH\b/i.test(sql)) throw new Error('a deferred write cannot have a WITH clause of its own');
    let added = 0;
    for (const p of parameters) added += typeof p !== 'string' ? 64 : p.length >= SHARED_PARAMETER_CHARS && this.chunks.has(p) ? 0 : p.length;
    // Sent before the statement that would pass one JSON chunk's bound (so a large batch holds no
    // more than a chunk), and so that statements sharing a chunk go together. Postgres runs it
    // while the caller builds the next rows; one runs at a time, so at most two statements'
    // parameters are held.
    if (this.pending.length > 0 && this.chars + added > MAX_CHUNK_CHARS) {
      await this.sent;
      this.sent = this.send();
      // Observed by the next send or by flush; until then a failure is not unhandled.
      this.sent.catch(() => undefined);
    }
    this.pending.push({ sql, params: parameters });
    this.chars += added;
    for (const p of parameters) if (typeof p === 'string' && p.length >= SHARED_PARAMETER_CHARS) this.chunks.add(p);
    return [] as T;
  }

  /**
   * Sends what is held and resolves once every statement sent has run. With `commit`, the target is
   * the `tx` of an EarlyTransaction, and the last statement goes with its COMMIT in one round trip
   * (see commitWith).
   */
  async flush({ commit = false } = {}): Promise<void> {
    const sent = this.sent;
    this.sent = undefined;
    await sent;
    const last = this.take();
    if (commit) await commitWith(this.target, last?.sql, last?.params);
    else if (last) await queryPrepared(this.target, last.sql, last.params);
  }

  private async send(): Promise<void> {
    const statement = this.take();
    if (statement) await queryPrepared(this.target, statement.sql, statement.params);
  }

  /** What is held, as one statement, no longer held. */
  private take(): Statement | undefined {
    if (this.pending.length === 0) return undefined;
    const statement = combineStatements(this.pending);
    this.pending = [];
    this.chars = 0;
    this.chunks.clear();
    return statement;
  }
}
