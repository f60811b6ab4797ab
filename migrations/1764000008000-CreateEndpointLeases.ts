import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leases are operational state, not part of the projection: heartbeats move deadlines here and
 * never reach the log. The projector creates and deletes rows in its transaction, as the log
 * registers and removes leased endpoints; the sweeper claims rows before appending their expiry.
 */
export class CreateEndpointLeases1764000008000 implements MigrationInterface {
  name = 'CreateEndpointLeases1764000008000';

  async up(q: QueryRunner): Promise<void> {
    // lease_id: the incarnation the projection knows (expiry events name it).
    // deadline: when the lease lapses without a heartbeat. lapsed_at: set once the not-ready
    // expiry is projected. due_at: when the sweeper must next act (the deadline, or removal).
    // claim: an expiry the sweeper is appending; the row is not claimed again until the
    // projector applies it (or it is proven never to have reached the log).
    await q.query(`
      CREATE TABLE endpoint_leases (
        namespace text NOT NULL,
        service_name text NOT NULL,
        endpoint_id text NOT NULL,
        lease_id text NOT NULL,
        ttl_seconds integer NOT NULL CHECK (ttl_seconds > 0),
        deregister_after_seconds integer NOT NULL CHECK (deregister_after_seconds > 0),
        deadline timestamptz NOT NULL,
        lapsed_at timestamptz,
        due_at timestamptz NOT NULL,
        claim text CHECK (claim IN ('NotReady', 'Removed')),
        claimed_at timestamptz,
        PRIMARY KEY (namespace, service_name, endpoint_id)
      )`);
    // A sweep reads only what is due: cost proportional to what expires, not to all leases.
    await q.query(`CREATE INDEX endpoint_leases_due ON endpoint_leases (due_at) WHERE claim IS NULL`);
    await q.query(`CREATE INDEX endpoint_leases_lapsed ON endpoint_leases (lapsed_at) WHERE lapsed_at IS NOT NULL`);
    await q.query(`CREATE INDEX endpoint_leases_claimed ON endpoint_leases (claimed_at) WHERE claim IS NOT NULL`);
    // Written by the active sweeper every sweep; read by every instance (/readyz, registryStatus).
    // protection_released: an operator ended the current protective episode.
    await q.query(`
      CREATE TABLE lease_sweeper_status (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        leader text,
        leader_since timestamptz,
        protection_active boolean NOT NULL DEFAULT false,
        protection_since timestamptz,
        protection_released boolean NOT NULL DEFAULT false,
        pending_expirations integer NOT NULL DEFAULT 0,
        would_expire integer NOT NULL DEFAULT 0,
        leased integer NOT NULL DEFAULT 0,
        updated_at timestamptz
      )`);
    await q.query(`INSERT INTO lease_sweeper_status DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lease_sweeper_status`);
    await q.query(`DROP TABLE endpoint_leases`);
  }
}
