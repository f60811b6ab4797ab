import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccessAndHistory1764000007000 implements MigrationInterface {
  name = 'CreateAccessAndHistory1764000007000';

  async up(q: QueryRunner): Promise<void> {
    // Only a SHA-256 of each secret is stored; the secret is shown once, at creation.
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        scopes text[] NOT NULL,
        secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    // Part of the projection (rebuilt from the log): what happened to each endpoint, and who did it.
    await q.query(`
      CREATE TABLE endpoint_history (
        namespace text NOT NULL,
        service_name text NOT NULL,
        endpoint_id text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        time timestamptz NOT NULL,
        actor text,
        data jsonb NOT NULL,
        resource_versions text[] NOT NULL,
        seq bigserial,
        PRIMARY KEY (namespace, service_name, endpoint_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE endpoint_history');
    await q.query('DROP TABLE api_tokens');
  }
}
