import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = [
  ['registry_services', 'state'],
  ['endpoint_slices', 'object'],
  ['slice_changes', 'object'],
  ['endpoint_history', 'data'],
] as const;

/**
 * Slice objects and service states are rewritten on every change and are large enough to be
 * TOASTed: lz4 compresses them several times faster than the default pglz, and the projector's
 * commits spend much of their Postgres time there. Builds without lz4 (PGlite) keep pglz.
 */
export class Lz4ToastCompression1764000009000 implements MigrationInterface {
  name = 'Lz4ToastCompression1764000009000';

  async up(q: QueryRunner): Promise<void> {
    const [{ lz4 }]: { lz4: boolean }[] = await q.query(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    if (!lz4) return;
    for (const [table, column] of COLUMNS) await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION lz4`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of COLUMNS) await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION default`);
  }
}
