import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partition count of the events topic a projection was built from, written once by the
 * projector's first start: keys map to partitions by that count, so a topic that gained or lost
 * partitions no longer matches the stored per-partition offsets and must not be consumed on top.
 */
export class CreateProjectionTopology1764000010000 implements MigrationInterface {
  name = 'CreateProjectionTopology1764000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_topology (
        group_id text NOT NULL,
        topic text NOT NULL,
        partitions integer NOT NULL CHECK (partitions > 0),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE projection_topology');
  }
}
