import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Endpoint-granular state: a command reads and writes the endpoints it names, not the whole
 * service. The service row keeps the definition and identity; each endpoint gets a row. Both carry
 * the command that last changed them (what preconditions compare, log-derived so a replay judges
 * alike) and its resourceVersion (what clients see). Verdicts of the projector live in
 * command_outcomes; request ids claimed by the API in command_requests.
 */
export class EndpointRows1764000011000 implements MigrationInterface {
  name = 'EndpointRows1764000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE registry_services
        ADD COLUMN definition jsonb, ADD COLUMN uid text, ADD COLUMN created_at text,
        ADD COLUMN last_command_id text NOT NULL DEFAULT 'migrated', ADD COLUMN resource_version bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE registry_endpoints (
        namespace text NOT NULL,
        service_name text NOT NULL,
        id text NOT NULL,
        definition jsonb NOT NULL,
        lease jsonb,
        last_command_id text NOT NULL,
        resource_version bigint NOT NULL,
        PRIMARY KEY (namespace, service_name, id)
      )`);
    // Existing services: endpoints move out of the state document; their last change is the
    // newest write of the service's slices (the best the old projection knew).
    await q.query(`
      INSERT INTO registry_endpoints (namespace, service_name, id, definition, lease, last_command_id, resource_version)
      SELECT s.namespace, s.name, e.key, e.value, s.state->'leases'->e.key, 'migrated',
             coalesce((SELECT max(resource_version) FROM endpoint_slices x WHERE x.namespace = s.namespace AND x.service_name = s.name), 0)
        FROM registry_services s, jsonb_each(s.state->'endpoints') AS e`);
    await q.query(`
      UPDATE registry_services s SET definition = s.state->'definition', uid = s.state->>'uid', created_at = s.state->>'createdAt',
             resource_version = coalesce((SELECT max(resource_version) FROM endpoint_slices x WHERE x.namespace = s.namespace AND x.service_name = s.name), 0)`);
    await q.query(`ALTER TABLE registry_services DROP COLUMN state`);
    await q.query(`ALTER TABLE registry_services ALTER COLUMN definition SET NOT NULL, ALTER COLUMN uid SET NOT NULL, ALTER COLUMN created_at SET NOT NULL`);
    await q.query(`
      CREATE TABLE command_outcomes (
        command_id text NOT NULL,
        namespace text NOT NULL,
        service_name text NOT NULL,
        parts integer NOT NULL,
        status text NOT NULL CHECK (status IN ('APPLIED', 'REJECTED')),
        code text,
        field text,
        message text,
        resource_version bigint,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (command_id, namespace, service_name)
      )`);
    await q.query(`CREATE INDEX command_outcomes_recorded_at ON command_outcomes (recorded_at)`);
    await q.query(`
      CREATE TABLE command_requests (
        request_id text PRIMARY KEY,
        command_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX command_requests_created_at ON command_requests (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE command_requests`);
    await q.query(`DROP TABLE command_outcomes`);
    await q.query(`ALTER TABLE registry_services ADD COLUMN state jsonb`);
    await q.query(`
      UPDATE registry_services s SET state = jsonb_build_object(
        'definition', s.definition, 'uid', s.uid, 'createdAt', s.created_at,
        'endpoints', coalesce((SELECT jsonb_object_agg(e.id, e.definition) FROM registry_endpoints e
                                WHERE e.namespace = s.namespace AND e.service_name = s.name), '{}'::jsonb),
        'leases', coalesce((SELECT jsonb_object_agg(e.id, e.lease) FROM registry_endpoints e
                             WHERE e.namespace = s.namespace AND e.service_name = s.name AND e.lease IS NOT NULL), '{}'::jsonb))`);
    await q.query(`ALTER TABLE registry_services ALTER COLUMN state SET NOT NULL`);
    await q.query(`DROP TABLE registry_endpoints`);
    await q.query(`ALTER TABLE registry_services DROP COLUMN definition, DROP COLUMN uid, DROP COLUMN created_at, DROP COLUMN last_command_id, DROP COLUMN resource_version`);
  }
}
