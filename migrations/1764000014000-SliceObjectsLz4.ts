import { uncompressSync } from 'lz4-napi';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each table with its primary key's columns and their types. */
const TABLES = [
  { table: 'endpoint_slices', key: [['namespace', 'text'], ['name', 'text']] },
  { table: 'slice_changes', key: [['resource_version', 'bigint']] },
] as const;

/** Rows converted per statement on the way down. */
const DOWN_BATCH = 500;

/**
 * Slice objects are stored as the projector packs them (see packSlice: a tag byte, then one LZ4
 * block), in `bytea` kept out of TOAST compression (STORAGE EXTERNAL): Postgres neither checks
 * 19 kB of JSON nor compresses it again, for each of the two tables a slice is written to. The rows
 * already stored become their JSON text's bytes, which unpackSlice reads as they are (they start
 * with `{`). Down unpacks in this process: Postgres has no LZ4 function.
 */
export class SliceObjectsLz41764000014000 implements MigrationInterface {
  name = 'SliceObjectsLz41764000014000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table } of TABLES) {
      await q.query(`ALTER TABLE ${table} ALTER COLUMN object TYPE bytea USING convert_to(object::text, 'UTF8'), ALTER COLUMN object SET STORAGE EXTERNAL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ lz4 }]: { lz4: boolean }[] = await q.query(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    for (const { table, key } of TABLES) {
      const columns = key.map(([column]) => column).join(', ');
      const unnested = [...key.map(([, type], i) => `$${i + 1}::${type}[]`), `$${key.length + 1}::bytea[]`].join(', ');
      const matches = key.map(([column]) => `t.${column} = u.${column}`).join(' AND ');
      for (;;) {
        const rows: Record<string, unknown>[] = await q.query(
          `SELECT ${columns}, object FROM ${table} WHERE get_byte(object, 0) <> ascii('{') LIMIT ${DOWN_BATCH}`,
        );
        if (rows.length === 0) break;
        const params = [...key.map(([column]) => rows.map((row) => String(row[column]))), rows.map((row) => uncompressSync((row.object as Buffer).subarray(1)))];
        await q.query(`UPDATE ${table} t SET object = u.object FROM unnest(${unnested}) AS u(${columns}, object) WHERE ${matches}`, params);
      }
      await q.query(`ALTER TABLE ${table} ALTER COLUMN object SET STORAGE EXTENDED, ALTER COLUMN object TYPE json USING convert_from(object, 'UTF8')::json`);
      if (lz4) await q.query(`ALTER TABLE ${table} ALTER COLUMN object SET COMPRESSION lz4`);
    }
  }
}
