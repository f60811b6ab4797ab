import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every text column of the registry's tables compares bytes (COLLATE "C"). The keys are Kubernetes
 * names, ids and addresses, ASCII by validation, and Kubernetes orders them by their bytes (etcd's
 * key order); under a database's locale collation (en_US.UTF-8, even C.UTF-8 before Postgres 17)
 * each comparison of a btree insert or lookup goes through strcoll on copies of both strings. A
 * projector commit inserts thousands of index entries keyed by three text columns: 300,000 rows
 * into endpoint_history's key took 2.1 s under C.UTF-8 against 1.7 s byte-ordered here.
 * All columns, not only the keys: one rule for every comparison and ORDER BY of the schema (a key
 * compared with a column left under the database collation is compared by bytes anyway, while a
 * sort of that column alone would follow the locale).
 */
export class ByteOrderText1764000013000 implements MigrationInterface {
  name = 'ByteOrderText1764000013000';

  async up(q: QueryRunner): Promise<void> {
    await this.recollate(q, '"C"');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.recollate(q, '"default"');
  }

  private async recollate(q: QueryRunner, collation: string): Promise<void> {
    const migrationsTable = q.connection.options.migrationsTableName ?? 'migrations';
    const columns: { table_name: string; column_name: string; type: string }[] = await q.query(
      `SELECT c.table_name, c.column_name, CASE WHEN c.data_type = 'ARRAY' THEN 'text[]' ELSE 'text' END AS type
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1
          AND (c.data_type = 'text' OR c.udt_name = '_text')
        ORDER BY c.table_name, c.ordinal_position`,
      [migrationsTable],
    );
    const byTable = new Map<string, string[]>();
    for (const { table_name: table, column_name: column, type } of columns) {
      byTable.set(table, [...(byTable.get(table) ?? []), `ALTER COLUMN "${column}" TYPE ${type} COLLATE ${collation}`]);
    }
    // One statement per table: its indexes are rebuilt once, not once per column.
    for (const [table, clauses] of byTable) await q.query(`ALTER TABLE "${table}" ${clauses.join(', ')}`);
  }
}
