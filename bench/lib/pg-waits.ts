import { Client } from 'pg';
import { postgresUrl } from './servers';

export interface WaitProfile {
  readonly samples: number;
  /** Share of sampled backend states, e.g. "active Lock:transactionid", "idle in transaction Client:ClientRead". */
  readonly states: Record<string, number>;
  /** Share of samples per statement (first 70 characters) among backends that were not idle. */
  readonly statements: Record<string, number>;
}

/**
 * Samples pg_stat_activity of one database every `everyMs`: where the registry's Postgres sessions
 * spend their time (running, waiting on a lock, on WAL fsync, or idle in a transaction waiting for
 * the application). Evidence for where a scenario's time goes, at the cost of one small query.
 */
export const pgWaitSampler = async (database: string, everyMs = 50): Promise<{ stop: () => Promise<WaitProfile> }> => {
  const client = new Client({ connectionString: postgresUrl('postgres') });
  await client.connect();
  const states = new Map<string, number>();
  const statements = new Map<string, number>();
  let samples = 0;
  let backends = 0;
  let busy = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ state: string | null; wait: string | null; query: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
           FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [database],
      );
      samples++;
      for (const r of rows) {
        backends++;
        const key = `${r.state ?? 'unknown'} ${r.wait ?? 'CPU'}`;
        states.set(key, (states.get(key) ?? 0) + 1);
        if (r.state !== 'idle') {
          busy++;
          statements.set(r.query, (statements.get(r.query) ?? 0) + 1);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const share = (m: Map<string, number>, total: number, top: number) =>
    Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, Math.round((1000 * v) / Math.max(1, total)) / 1000]));
  return {
    stop: async () => {
      stopped = true;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
      return { samples, states: share(states, backends, 12), statements: share(statements, busy, 12) };
    },
  };
};
