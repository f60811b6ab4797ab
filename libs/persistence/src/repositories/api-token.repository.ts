import type { Queryable } from '../in-transaction';

export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly revokedAt?: string;
}

interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  revoked_at: Date | null;
}

const toRecord = (row: TokenRow): ApiTokenRecord => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString(),
});

const COLUMNS = 'id, name, scopes, created_at, revoked_at';

export class ApiTokenRepository {
  async create(q: Queryable, token: { id: string; name: string; scopes: readonly string[]; secretHash: string }): Promise<ApiTokenRecord> {
    const [row]: TokenRow[] = await q.query(
      `INSERT INTO api_tokens (id, name, scopes, secret_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [token.id, token.name, token.scopes, token.secretHash],
    );
    return toRecord(row);
  }

  async findActiveBySecretHash(q: Queryable, secretHash: string): Promise<ApiTokenRecord | undefined> {
    const rows: TokenRow[] = await q.query(`SELECT ${COLUMNS} FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL`, [secretHash]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(q: Queryable): Promise<ApiTokenRecord[]> {
    const rows: TokenRow[] = await q.query(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  async revoke(q: Queryable, id: string): Promise<ApiTokenRecord | undefined> {
    const rows: TokenRow[] = await q.query(
      `WITH revoked AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS})
       SELECT * FROM revoked`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * Tokens revoked at or after `since` (the database's clock; undefined: from now on), and the
   * database's clock now, from which the next poll continues.
   */
  async revokedSince(q: Queryable, since: Date | undefined): Promise<{ ids: string[]; now: Date }> {
    const [row]: { ids: string[]; now: Date }[] = await q.query(
      'SELECT now() AS now, ARRAY(SELECT id::text FROM api_tokens WHERE revoked_at >= coalesce($1::timestamptz, now())) AS ids',
      [since ?? null],
    );
    return row;
  }
}
