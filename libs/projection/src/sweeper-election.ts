import type { Queryable } from '@lib/persistence';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** Who runs the lease sweeper: exactly one process at a time. */
export interface SweeperElection {
  /** True while this process holds the role; tries to take it when it does not. */
  acquire(): Promise<boolean>;
  /** Gives the role up at once (graceful shutdown), so a standby takes over within one sweep. */
  resign(): Promise<void>;
}

/**
 * Embedded mode: PGlite has one backend shared by every connection, so an advisory lock would be
 * granted to everyone; the only process runs the sweeper.
 */
export class InProcessElection implements SweeperElection {
  async acquire(): Promise<boolean> {
    return true;
  }

  async resign(): Promise<void> {}
}

/** pg advisory lock key: the one active lease sweeper among all projector processes. */
export const LEASE_SWEEPER_LOCK = 0x1ea5e;

/**
 * A session-level advisory lock held on a dedicated connection: it lasts exactly as long as that
 * session, so when the holder's process dies Postgres ends the session and releases the lock, and
 * a standby's next attempt (every sweep) takes it. The holder checks its session before each sweep
 * and steps down when it is gone.
 */
export class AdvisoryLockElection implements SweeperElection {
  private client?: PoolClient;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lockKey = LEASE_SWEEPER_LOCK,
  ) {}

  async acquire(): Promise<boolean> {
    if (this.client) {
      try {
        await this.client.query('SELECT 1');
        return true;
      } catch {
        this.drop();
        return false;
      }
    }
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [this.lockKey]);
      if (!rows[0].locked) {
        client.release();
        return false;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    // A held connection that breaks emits 'error'; unhandled it would end the process.
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    this.client = client;
    return true;
  }

  async resign(): Promise<void> {
    this.drop();
  }

  /**
   * Runs `work` on the lock's own session while this process holds the role, taking it if it can
   * (undefined when another process holds it). A statement that fails there ends the session and
   * the role with it. `fresh`: the role was just taken, so the previous holder's progress must be
   * read first.
   */
  async whileHolding<T>(work: (session: Queryable, fresh: boolean) => Promise<T>): Promise<T | undefined> {
    const fresh = this.client === undefined;
    if (fresh && !(await this.acquire())) return undefined;
    const client = this.client as PoolClient;
    const session: Queryable = {
      query: async <R>(sql: string, parameters?: unknown[]): Promise<R> => {
        try {
          return (await client.query(sql, parameters)).rows as R;
        } catch (error) {
          if (this.client === client) this.drop();
          throw error;
        }
      },
    };
    return work(session, fresh);
  }

  /** Destroys the connection instead of returning it to the pool: the session, and the lock, end with it. */
  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.release(true);
  }
}
