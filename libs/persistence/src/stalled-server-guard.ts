import type { Pool, PoolClient } from 'pg';

const READ_TIMEOUT = 'Query read timeout';
const PROBE_INTERVAL_MS = 500;

/** Raised instead of waiting, while Postgres is known not to answer (mapped to UNAVAILABLE). */
export const STALLED_SERVER_MESSAGE = 'Postgres is not answering: no reply within PG_QUERY_TIMEOUT_MS; waiting for it to answer again';

type ConnectCallback = (error: Error | undefined, client?: PoolClient, release?: (error?: Error) => void) => void;

/**
 * A server that left a statement unanswered for PG_QUERY_TIMEOUT_MS (longer than its own
 * statement_timeout) has stopped answering, whatever the sockets say. pg would keep every pooled
 * connection waiting for its reply and open new ones that wait out PG_CONNECT_TIMEOUT_MS each, so
 * a request making several statements would wait several timeouts. Instead: every connection is
 * closed at once, and until one probe connection gets an answer, taking a connection from the pool
 * fails immediately. The longest a request waits is one PG_QUERY_TIMEOUT_MS; the pool is usable
 * again within about PG_CONNECT_TIMEOUT_MS of the server answering.
 */
export const guardAgainstStalledServer = (pool: Pool): void => {
  const connections = new Set<PoolClient>();
  let stalled = false;
  const connect = pool.connect.bind(pool) as (callback?: ConnectCallback) => unknown;

  const probe = (): void => {
    connect((error, client, release) => {
      if (error || !client) {
        setTimeout(probe, PROBE_INTERVAL_MS).unref();
        return;
      }
      client.query('SELECT 1').then(
        () => {
          release?.();
          stalled = false;
        },
        (queryError: Error) => {
          release?.(queryError);
          setTimeout(probe, PROBE_INTERVAL_MS).unref();
        },
      );
    });
  };

  const onStalled = (): void => {
    for (const client of connections) (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    if (stalled) return;
    stalled = true;
    probe();
  };

  (pool as unknown as { connect: (callback?: ConnectCallback) => unknown }).connect = (callback?: ConnectCallback) => {
    if (!stalled) return connect(callback);
    const error = new Error(STALLED_SERVER_MESSAGE);
    if (callback) return void process.nextTick(() => callback(error));
    return Promise.reject(error);
  };

  pool.on('connect', (client) => {
    connections.add(client);
    client.once('end', () => connections.delete(client));
    // Closed here while checked out between two statements, a client must not take the process
    // down with an unheard 'error': its holder's next statement fails instead (UNAVAILABLE).
    client.on('error', () => undefined);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) result.catch((error: unknown) => error instanceof Error && error.message === READ_TIMEOUT && onStalled());
      return result;
    };
  });
};
