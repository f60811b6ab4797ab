import type { Queryable } from '../in-transaction';

/**
 * The leases table is operational state, not part of the projection: heartbeats move deadlines
 * with the database clock and never reach the log, so a replay cannot (and need not) reproduce
 * it. The projection stays a pure function of the log; this table only tells the sweeper when to
 * append the expiry events that the projection then applies like any other.
 */

export interface LeaseKey {
  readonly namespace: string;
  readonly serviceName: string;
  readonly id: string;
}

/** What the projector writes for an endpoint whose lease the log changed (same transaction). */
export type ProjectedLeaseWrite =
  | (LeaseKey & {
      readonly kind: 'put';
      readonly leaseId: string;
      readonly ttlSeconds: number;
      readonly deregisterAfterSeconds: number;
      /** Event time the incarnation began; the deadline is at least this + ttl. */
      readonly renewedAt: string;
      /** Set when the projection holds the endpoint not ready by this lease. */
      readonly lapsedAt: string | null;
    })
  | (LeaseKey & { readonly kind: 'delete' });

export interface RenewalRequest extends LeaseKey {
  /** Which coalesced request asked; a request renews all of its endpoints or none. */
  readonly request: number;
}

export interface RenewedLease extends LeaseKey {
  readonly request: number;
  readonly leaseId: string;
  /** The lease had lapsed (its expiry projected, or claimed by the sweeper): the caller appends a restore. */
  readonly lapsed: boolean;
}

export type ExpiryPhase = 'NotReady' | 'Removed';

export interface ClaimedExpiry extends LeaseKey {
  readonly leaseId: string;
  readonly phase: ExpiryPhase;
  /** The deadline that passed without a heartbeat. */
  readonly leaseLapsedAt: string;
  /** Database time of the claim: the expiry event's time. */
  readonly claimedAt: string;
}

export interface LapseCounts {
  /** Due now, by either phase, not claimed: expirations pending (held back while protecting). */
  readonly pending: number;
  /** Lapsed within the window, or due or being expired now: what would expire. */
  readonly wouldExpire: number;
  readonly now: string;
}

export interface LeaseSweeperStatus {
  readonly leader: string | null;
  readonly leaderSince: string | null;
  readonly protectionActive: boolean;
  readonly protectionSince: string | null;
  readonly protectionReleased: boolean;
  readonly pendingExpirations: number;
  readonly wouldExpire: number;
  readonly leased: number;
  readonly updatedAt: string | null;
}

interface StatusRow {
  leader: string | null;
  leader_since: Date | null;
  protection_active: boolean;
  protection_since: Date | null;
  protection_released: boolean;
  pending_expirations: number;
  would_expire: number;
  leased: number;
  updated_at: Date | null;
}

/** One endpoint's lease as a reader sees it. */
export interface EndpointLeaseView {
  readonly id: string;
  readonly ttlSeconds: number;
  /** Heartbeat before this, or the endpoint turns not ready. */
  readonly deadline: string;
  /** When the projection began holding it not ready for this lease; null while it holds. */
  readonly lapsedAt: string | null;
}

const STATUS_COLUMNS =
  'leader, leader_since, protection_active, protection_since, protection_released, pending_expirations, would_expire, leased, updated_at';

const toStatus = (row: StatusRow): LeaseSweeperStatus => ({
  leader: row.leader,
  leaderSince: row.leader_since?.toISOString() ?? null,
  protectionActive: row.protection_active,
  protectionSince: row.protection_since?.toISOString() ?? null,
  protectionReleased: row.protection_released,
  pendingExpirations: row.pending_expirations,
  wouldExpire: row.would_expire,
  leased: row.leased,
  updatedAt: row.updated_at?.toISOString() ?? null,
});

const keyArrays = (keys: readonly LeaseKey[]): [string[], string[], string[]] => [
  keys.map((k) => k.namespace),
  keys.map((k) => k.serviceName),
  keys.map((k) => k.id),
];

export class LeaseRepository {
  /**
   * Applies the projector's lease writes. Rows are locked first in key order, the order the
   * coalesced renewal locks them in, so the two can wait on each other but never deadlock.
   * A put clears any claim: the expiry it was claimed for has been applied or made stale.
   */
  async applyProjected(q: Queryable, writes: readonly ProjectedLeaseWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await q.query(
      `SELECT 1 FROM endpoint_leases l
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(namespace, service_name, endpoint_id)
           ON l.namespace = k.namespace AND l.service_name = k.service_name AND l.endpoint_id = k.endpoint_id
        ORDER BY l.namespace, l.service_name, l.endpoint_id
        FOR UPDATE OF l`,
      keyArrays(writes),
    );
    const deletes = writes.filter((w) => w.kind === 'delete');
    if (deletes.length > 0) {
      await q.query(
        `DELETE FROM endpoint_leases l USING unnest($1::text[], $2::text[], $3::text[]) AS k(namespace, service_name, endpoint_id)
          WHERE l.namespace = k.namespace AND l.service_name = k.service_name AND l.endpoint_id = k.endpoint_id`,
        keyArrays(deletes),
      );
    }
    const puts = writes.filter((w) => w.kind === 'put');
    if (puts.length === 0) return;
    // A heartbeat may already have pushed the deadline past what the event implies: that is kept,
    // but never beyond one (possibly new, shorter) TTL from now. Removal waits for the later of
    // lapse + deregisterAfter and a deadline renewed meanwhile (its restore event is on its way).
    await q.query(
      `INSERT INTO endpoint_leases AS l
              (namespace, service_name, endpoint_id, lease_id, ttl_seconds, deregister_after_seconds, deadline, lapsed_at, due_at)
       SELECT p.namespace, p."serviceName", p.id, p."leaseId", p."ttlSeconds", p."deregisterAfterSeconds",
              p."renewedAt" + make_interval(secs => p."ttlSeconds"),
              p."lapsedAt",
              CASE WHEN p."lapsedAt" IS NULL THEN p."renewedAt" + make_interval(secs => p."ttlSeconds")
                   ELSE p."lapsedAt" + make_interval(secs => p."deregisterAfterSeconds") END
         FROM jsonb_to_recordset($1::jsonb) AS p(namespace text, "serviceName" text, id text, "leaseId" text,
              "ttlSeconds" integer, "deregisterAfterSeconds" integer, "renewedAt" timestamptz, "lapsedAt" timestamptz)
       ON CONFLICT (namespace, service_name, endpoint_id) DO UPDATE SET
              lease_id = EXCLUDED.lease_id,
              ttl_seconds = EXCLUDED.ttl_seconds,
              deregister_after_seconds = EXCLUDED.deregister_after_seconds,
              deadline = greatest(EXCLUDED.deadline, least(l.deadline, now() + make_interval(secs => EXCLUDED.ttl_seconds))),
              lapsed_at = EXCLUDED.lapsed_at,
              due_at = CASE WHEN EXCLUDED.lapsed_at IS NULL
                            THEN greatest(EXCLUDED.deadline, least(l.deadline, now() + make_interval(secs => EXCLUDED.ttl_seconds)))
                            ELSE greatest(EXCLUDED.due_at, l.deadline) END,
              claim = NULL,
              claimed_at = NULL`,
      [JSON.stringify(puts)],
    );
  }

  /**
   * One statement for every heartbeat of a coalescing window: deadline = now() + ttl on the
   * database clock. A request whose endpoints are not all leased renews nothing (its caller
   * reports why). Reports, per endpoint, whether the renewal found the lease lapsed: claimed
   * by the sweeper or held not ready by the projection. Neither is cleared here: the projector
   * clears them when the restore is applied, so a failed restore is retried by the next heartbeat.
   */
  async renew(q: Queryable, requests: readonly RenewalRequest[]): Promise<RenewedLease[]> {
    if (requests.length === 0) return [];
    const rows: { request: number; namespace: string; service_name: string; endpoint_id: string; lease_id: string; lapsed: boolean }[] =
      await q.query(
        // Rows are locked by one primary-key lookup each, in key order (LATERAL keeps the order
        // of the sorted input): the order the projector locks them in. The update then joins on
        // the key, which also follows a row to its latest version if it changed before the lock.
        `WITH input AS MATERIALIZED (
           SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS i(request, namespace, service_name, endpoint_id)
         ), locked AS MATERIALIZED (
           SELECT k.* FROM (SELECT DISTINCT namespace, service_name, endpoint_id FROM input ORDER BY 1, 2, 3) i
            CROSS JOIN LATERAL (
              SELECT l.namespace, l.service_name, l.endpoint_id, l.lease_id,
                     (l.claim IS NOT NULL OR l.lapsed_at IS NOT NULL) AS lapsed
                FROM endpoint_leases l
               WHERE l.namespace = i.namespace AND l.service_name = i.service_name AND l.endpoint_id = i.endpoint_id
                 FOR UPDATE
            ) k
         ), matched AS MATERIALIZED (
           SELECT i.request, i.namespace, i.service_name, i.endpoint_id, k.lease_id, k.lapsed,
                  bool_and(k.endpoint_id IS NOT NULL) OVER (PARTITION BY i.request) AS complete
             FROM input i LEFT JOIN locked k USING (namespace, service_name, endpoint_id)
         ), renewed AS (
           UPDATE endpoint_leases l
              SET deadline = now() + make_interval(secs => l.ttl_seconds),
                  due_at = CASE WHEN l.lapsed_at IS NULL THEN now() + make_interval(secs => l.ttl_seconds)
                                ELSE greatest(l.lapsed_at + make_interval(secs => l.deregister_after_seconds),
                                              now() + make_interval(secs => l.ttl_seconds)) END
             FROM (SELECT DISTINCT namespace, service_name, endpoint_id FROM matched WHERE complete) c
            WHERE l.namespace = c.namespace AND l.service_name = c.service_name AND l.endpoint_id = c.endpoint_id
           RETURNING 1
         )
         SELECT request, namespace, service_name, endpoint_id, lease_id, lapsed FROM matched WHERE complete`,
        [requests.map((r) => r.request), ...keyArrays(requests)],
      );
    return rows.map((r) => ({
      request: r.request,
      namespace: r.namespace,
      serviceName: r.service_name,
      id: r.endpoint_id,
      leaseId: r.lease_id,
      lapsed: r.lapsed,
    }));
  }

  /**
   * Claims up to `limit` due leases for their next expiry phase, atomically: a row being renewed
   * is skipped (SKIP LOCKED) and one already claimed is not due in the index. `graceStart`: the
   * sweeper's (re)start; no lease expires before one TTL after it.
   */
  /**
   * `dueBy`: the time the caller decided protective mode at. A lease that came due after it was not
   * in that decision's count, so it waits for the next sweep instead of expiring unweighed.
   */
  async claimDue(q: Queryable, options: { limit: number; graceStart: string; dueBy: string }): Promise<ClaimedExpiry[]> {
    const rows: {
      namespace: string;
      service_name: string;
      endpoint_id: string;
      lease_id: string;
      claim: ExpiryPhase;
      lapsed_at: Date;
      claimed_at: Date;
    }[] = await q.query(
      // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE ... RETURNING.
      `WITH due AS (
         SELECT namespace, service_name, endpoint_id FROM endpoint_leases
          WHERE claim IS NULL AND due_at <= least(now(), $3::timestamptz)
            AND $2::timestamptz + make_interval(secs => ttl_seconds) <= least(now(), $3::timestamptz)
          ORDER BY due_at
          LIMIT $1
            FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE endpoint_leases l
            SET claim = CASE WHEN l.lapsed_at IS NULL THEN 'NotReady' ELSE 'Removed' END, claimed_at = now()
           FROM due
          WHERE l.namespace = due.namespace AND l.service_name = due.service_name AND l.endpoint_id = due.endpoint_id
         RETURNING l.namespace, l.service_name, l.endpoint_id, l.lease_id, l.claim, coalesce(l.lapsed_at, l.deadline) AS lapsed_at, l.claimed_at
       )
       SELECT * FROM claimed`,
      [options.limit, options.graceStart, options.dueBy],
    );
    return rows.map((r) => ({
      namespace: r.namespace,
      serviceName: r.service_name,
      id: r.endpoint_id,
      leaseId: r.lease_id,
      phase: r.claim,
      leaseLapsedAt: r.lapsed_at.toISOString(),
      claimedAt: r.claimed_at.toISOString(),
    }));
  }

  /** Index range scans over what is due or recently lapsed; never a scan of every lease. */
  async lapseCounts(q: Queryable, windowSeconds: number): Promise<LapseCounts> {
    const [row]: { pending: string; would_expire: string; now: Date }[] = await q.query(
      `SELECT
         (SELECT count(*) FROM endpoint_leases WHERE claim IS NULL AND due_at <= now()) AS pending,
         (SELECT count(*) FROM endpoint_leases WHERE claim IS NULL AND due_at <= now() AND lapsed_at IS NULL)
           + (SELECT count(*) FROM endpoint_leases WHERE claim = 'NotReady')
           + (SELECT count(*) FROM endpoint_leases WHERE lapsed_at > now() - make_interval(secs => $1)) AS would_expire,
         now() AS now`,
      [windowSeconds],
    );
    return { pending: Number(row.pending), wouldExpire: Number(row.would_expire), now: row.now.toISOString() };
  }

  /** The leases of one service's endpoints: a range of the primary key. */
  async ofService(q: Queryable, namespace: string, serviceName: string): Promise<EndpointLeaseView[]> {
    const rows: { endpoint_id: string; ttl_seconds: number; deadline: Date; lapsed_at: Date | null }[] = await q.query(
      `SELECT endpoint_id, ttl_seconds, deadline, lapsed_at FROM endpoint_leases WHERE namespace = $1 AND service_name = $2 ORDER BY endpoint_id`,
      [namespace, serviceName],
    );
    return rows.map((row) => ({ id: row.endpoint_id, ttlSeconds: row.ttl_seconds, deadline: row.deadline.toISOString(), lapsedAt: row.lapsed_at?.toISOString() ?? null }));
  }

  async countLeased(q: Queryable): Promise<number> {
    const [row]: { count: string }[] = await q.query('SELECT count(*) FROM endpoint_leases');
    return Number(row.count);
  }

  /** Claims older than `olderThanSeconds`: expiries that may never have reached the log. */
  async countStaleClaims(q: Queryable, olderThanSeconds: number): Promise<number> {
    const [row]: { count: string }[] = await q.query(
      `SELECT count(*) FROM endpoint_leases WHERE claim IS NOT NULL AND claimed_at <= now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return Number(row.count);
  }

  /** Releases claims made at or before `claimedAtOrBefore`; the rows become due again. */
  async releaseClaims(q: Queryable, claimedAtOrBefore: string): Promise<number> {
    const [row]: { count: string }[] = await q.query(
      `WITH released AS (
         UPDATE endpoint_leases SET claim = NULL, claimed_at = NULL
          WHERE claim IS NOT NULL AND claimed_at <= $1::timestamptz
         RETURNING 1
       )
       SELECT count(*) FROM released`,
      [claimedAtOrBefore],
    );
    return Number(row.count);
  }

  async status(q: Queryable): Promise<LeaseSweeperStatus> {
    const [row]: StatusRow[] = await q.query(`SELECT ${STATUS_COLUMNS} FROM lease_sweeper_status`);
    return toStatus(row);
  }

  /** The status row, locked until the transaction ends: the sweeper and releaseProtection take turns. */
  async lockStatus(q: Queryable): Promise<LeaseSweeperStatus> {
    const [row]: StatusRow[] = await q.query(`SELECT ${STATUS_COLUMNS} FROM lease_sweeper_status FOR UPDATE`);
    return toStatus(row);
  }

  async writeStatus(q: Queryable, status: Omit<LeaseSweeperStatus, 'updatedAt'>): Promise<void> {
    await q.query(
      `UPDATE lease_sweeper_status
          SET leader = $1, leader_since = $2, protection_active = $3, protection_since = $4, protection_released = $5,
              pending_expirations = $6, would_expire = $7, leased = $8, updated_at = now()`,
      [
        status.leader,
        status.leaderSince,
        status.protectionActive,
        status.protectionSince,
        status.protectionReleased,
        status.pendingExpirations,
        status.wouldExpire,
        status.leased,
      ],
    );
  }

  /**
   * Ends the current protective episode (nothing to end when protection is not active). Call it in
   * a transaction after lockStatus to know what it ended.
   */
  async releaseProtection(q: Queryable): Promise<LeaseSweeperStatus> {
    const [row]: StatusRow[] = await q.query(
      `WITH released AS (
         UPDATE lease_sweeper_status
            SET protection_released = protection_released OR protection_active,
                protection_active = false,
                protection_since = NULL
         RETURNING ${STATUS_COLUMNS}
       )
       SELECT * FROM released`,
    );
    return toStatus(row);
  }

  async now(q: Queryable): Promise<string> {
    const [row]: { now: Date }[] = await q.query('SELECT now() AS now');
    return row.now.toISOString();
  }
}
