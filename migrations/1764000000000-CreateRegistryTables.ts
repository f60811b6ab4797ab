import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRegistryTables1764000000000 implements MigrationInterface {
  name = 'CreateRegistryTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry_services (
        namespace text NOT NULL,
        name text NOT NULL,
        state jsonb NOT NULL,
        labels jsonb NOT NULL,
        PRIMARY KEY (namespace, name)
      )`);
    await q.query(`
      CREATE TABLE endpoint_slices (
        namespace text NOT NULL,
        name text NOT NULL,
        service_name text NOT NULL,
        address_type text NOT NULL,
        labels jsonb NOT NULL,
        resource_version bigint NOT NULL,
        object jsonb NOT NULL,
        PRIMARY KEY (namespace, name)
      )`);
    await q.query(`CREATE INDEX endpoint_slices_by_service ON endpoint_slices (namespace, service_name, name)`);
    // One row, locked by every committing projector transaction until it commits: resourceVersions
    // are therefore handed out in commit order, and "every change after N" can never skip one.
    await q.query(`CREATE TABLE resource_version_counter (id boolean PRIMARY KEY DEFAULT true CHECK (id), value bigint NOT NULL)`);
    await q.query(`INSERT INTO resource_version_counter (value) VALUES (0)`);
    await q.query(`
      CREATE TABLE slice_changes (
        resource_version bigint PRIMARY KEY,
        type text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        service_name text NOT NULL,
        object jsonb NOT NULL,
        event_ids text[] NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX slice_changes_recorded_at ON slice_changes (recorded_at)`);
    await q.query(`
      CREATE TABLE consumer_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        resource_version bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['consumer_offsets', 'slice_changes', 'resource_version_counter', 'endpoint_slices', 'registry_services']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
