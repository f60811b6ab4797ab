import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './built-processes';

const run = promisify(execFile);

/** Debian keeps the server binaries out of PATH: the newest /usr/lib/postgresql/<major>/bin. */
const binDir = (): string => {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = majors.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('no Postgres server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set PG_BIN_DIR');
  return found;
};

/** initdb and the server refuse to run as root: as root, run them as the `postgres` OS user. */
const asServerUser = (command: string, args: readonly string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];

/**
 * A throwaway Postgres cluster for tests that stop the database: its own data directory, socket
 * directory and port on 127.0.0.1, so the shared server is never touched.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  static async create(): Promise<PrivatePostgres> {
    const bin = binDir();
    const dir = mkdtempSync(join(tmpdir(), 'registry-pg-'));
    const cluster = new PrivatePostgres(bin, dir, await freePort());
    try {
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
        const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
        chownSync(dir, uid, gid);
      }
      await cluster.pg('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
      await cluster.start();
      PrivatePostgres.live.add(cluster);
      return cluster;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.pg('pg_ctl', ['start', '-w', '-t', '120', '-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options]);
  }

  /** `pg_ctl stop -m fast`: sessions are terminated, as in a database restart or failover. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-t', '120', '-D', this.dataDir, '-m', 'fast']);
  }

  /** Stops the server if it runs and removes the cluster's directory. */
  async destroy(): Promise<void> {
    PrivatePostgres.live.delete(this);
    await this.pg('pg_ctl', ['stop', '-w', '-t', '60', '-D', this.dataDir, '-m', 'immediate']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: string, args: readonly string[]): Promise<void> {
    const [command, argv] = asServerUser(join(this.bin, tool), args);
    try {
      await run(command, argv, { cwd: this.dir, timeout: 180_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${tool} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  }

  /** If the test process dies without cleaning up, its clusters must not outlive it. */
  private static readonly live = new Set<PrivatePostgres>();
  static {
    process.on('exit', () => {
      for (const cluster of PrivatePostgres.live) {
        const [command, argv] = asServerUser(join(cluster.bin, 'pg_ctl'), ['stop', '-D', cluster.dataDir, '-m', 'immediate']);
        try {
          execFileSync(command, argv, { stdio: 'ignore', timeout: 30_000 });
        } catch {
          // already stopped
        }
        rmSync(cluster.dir, { recursive: true, force: true });
      }
    });
  }
}
