import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { DatabaseOptions } from '../data-source';

export interface EmbeddedPostgresOptions {
  /** The cluster's directory: `<DATA_DIR>/pg`. */
  readonly dataDir: string;
}

// Sockets the server accepts. More than the pool opens: a socket the pool is closing still counts
// for a moment, and one too many is refused ("Connection terminated unexpectedly").
const MAX_CONNECTIONS = 4;
// See `databaseOptions`: waiting for the one connection is waiting for the transaction in front.
const ACQUIRE_TIMEOUT_MS = 30000;

/**
 * PGlite (Postgres compiled to wasm, one single-user backend) behind its wire-protocol socket on
 * 127.0.0.1, so the pg driver, TypeORM, the migrations and every SQL statement run unchanged.
 *
 * Durability, as found in PGlite 0.5.14: on Node the cluster lives on the real filesystem (Emscripten
 * NODEFS) and every write the backend makes is a synchronous write(2), so a commit's WAL is in the
 * kernel before the client sees COMMIT: a crash or `kill -9` of this process loses nothing committed.
 * Postgres runs with fsync off (`-F`), and Emscripten's fsync/fdatasync never reach the disk anyway,
 * so an OS crash or power loss can lose recent commits; `stop()` therefore fsyncs the whole cluster
 * after the shutdown checkpoint.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lock: DataDirLock,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dirname(dataDir), { recursive: true });
    const lock = DataDirLock.acquire(`${dataDir}.lock`);
    let db: PGlite | undefined;
    try {
      await initializeOnce(dataDir);
      db = await PGlite.create({ dataDir });
      // Port 0: the kernel picks a free port, so two registries on one machine never collide.
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
      await server.start();
      const port = Number(server.getServerConn().split(':').pop());
      return new EmbeddedPostgres(db, server, lock, dataDir, port);
    } catch (error) {
      await db?.close().catch(() => undefined);
      lock.release();
      throw error;
    }
  }

  /** No password: the socket listens on loopback only and PGlite does not authenticate. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * One pooled connection. pglite-socket 0.2.17 queues protocol messages, not whole queries: what
   * other sockets send while a transaction is open piles up, and after COMMIT their Parse/Bind
   * messages run interleaved, so one socket's Bind meets another's unnamed statement ("bind message
   * supplies 2 parameters, but prepared statement "" requires 1"). PGlite has one backend anyway,
   * so one connection costs no throughput; and a query made inside a transaction through another
   * connection (the embedded deadlock) now fails after the acquire timeout instead of hanging.
   */
  get databaseOptions(): DatabaseOptions {
    return { url: this.url, poolSize: 1, connectTimeoutMs: ACQUIRE_TIMEOUT_MS, lockMigrations: false };
  }

  /** Call after the DataSource is destroyed: a socket dropped inside a transaction rolls it back. */
  async stop(): Promise<void> {
    try {
      await this.server.stop();
      // Ends the single-user backend: shutdown checkpoint, every dirty page written.
      await this.db.close();
      fsyncTree(this.dataDir);
    } finally {
      this.lock.release();
    }
  }
}

/**
 * initdb (2-4 s) runs on the first boot only, in a child process: PGlite needs a second wasm
 * instance for it, and the 400 MB it takes would otherwise stay with the registry for good. It
 * writes into a scratch directory that is renamed into place once complete, so an interrupted
 * first boot never leaves a half-initialized cluster behind.
 */
const initializeOnce = async (dataDir: string): Promise<void> => {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} exists but holds no Postgres cluster (no PG_VERSION); move it away or choose another DATA_DIR`);
  }
  const scratch = `${dataDir}.initdb`;
  rmSync(scratch, { recursive: true, force: true });
  await runInitdb(scratch);
  fsyncTree(scratch);
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(scratch, dataDir);
  fsyncPath(dirname(dataDir));
};

const runInitdb = (dataDir: string): Promise<void> =>
  new Promise((resolveInit, reject) => {
    const pglite = JSON.stringify(require.resolve('@electric-sql/pglite'));
    const script = `require(${pglite}).PGlite.create({ dataDir: ${JSON.stringify(dataDir)} }).then((db) => db.close())`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolveInit() : reject(new Error(`initdb for ${dataDir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`)),
    );
  });

const fsyncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** About 1000 files, 30 ms: cheap enough for every clean shutdown. */
const fsyncTree = (dir: string): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(path);
    else if (entry.isFile()) fsyncPath(path);
  }
  fsyncPath(dir);
};

/**
 * PGlite happily opens a cluster another process has open, and two backends on one directory
 * corrupt it. The lock file names its owner by pid and process start time (Linux), so a lock left
 * by `kill -9`, or by a container whose pid is reused, is recognized as stale and taken over.
 */
class DataDirLock {
  private constructor(
    private readonly path: string,
    private readonly owner: string,
  ) {}

  static acquire(path: string): DataDirLock {
    const owner = processIdentity(process.pid) ?? String(process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, owner);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return new DataDirLock(path, owner);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readFileSync(path, 'utf8').trim();
      const pid = Number(holder.split(' ')[0]);
      if (Number.isInteger(pid) && pid > 0 && processIdentity(pid) === holder) {
        throw new Error(`${dirname(path)} is in use by process ${pid}; stop it first or choose another DATA_DIR`);
      }
      unlinkSync(path);
    }
    throw new Error(`could not take the lock ${path}`);
  }

  release(): void {
    try {
      if (readFileSync(this.path, 'utf8').trim() === this.owner) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** `<pid> <start time>` from /proc where there is one, else the pid while it is alive. */
const processIdentity = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in parentheses may contain spaces.
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return `${pid} ${startTime}`;
  } catch {
    if (existsSync('/proc/self/stat')) return undefined;
  }
  try {
    process.kill(pid, 0);
    return `${pid}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? `${pid}` : undefined;
  }
};
