import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = [
  ['endpoint_slices', 'object'],
  ['slice_changes', 'object'],
] as const;

/**
 * A slice object is written whole on every change and read whole, never queried inside: as `json`
 * Postgres stores the text it was sent (after checking it is JSON) and sends it back as it is. As
 * `jsonb` every write parsed it into the binary form and every read printed it again: in a
 * projector commit of 200 slices of 20 kB, most of Postgres's time. lz4 stays (see
 * Lz4ToastCompression), set again because a type change may not keep it.
 */
export class SliceObjectsAsJson1764000012000 implements MigrationInterface {
  name = 'SliceObjectsAsJson1764000012000';

  async up(q: QueryRunner): Promise<void> {
    await this.retype(q, 'json');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.retype(q, 'jsonb');
  }

  private async retype(q: QueryRunner, type: 'json' | 'jsonb'): Promise<void> {
    const [{ lz4 }]: { lz4: boolean }[] = await q.query(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    for (const [table, column] of COLUMNS) {
      await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} USING ${column}::${type}`);
      if (lz4) await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION lz4`);
    }
  }
}
