import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWatchState1764000001000 implements MigrationInterface {
  name = 'CreateWatchState1764000001000';

  async up(q: QueryRunner): Promise<void> {
    // compacted_through: change log rows at or below it are gone (older watches get RESOURCE_VERSION_TOO_OLD).
    // relayed_through: rows at or below it are on the slice change topic (the outbox position).
    await q.query(`
      CREATE TABLE watch_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        compacted_through bigint NOT NULL,
        relayed_through bigint NOT NULL
      )`);
    await q.query(`INSERT INTO watch_state (compacted_through, relayed_through) VALUES (0, 0)`);
    await q.query(`CREATE INDEX slice_changes_by_service ON slice_changes (namespace, service_name, resource_version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX slice_changes_by_service`);
    await q.query(`DROP TABLE watch_state`);
  }
}
