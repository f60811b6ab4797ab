import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port free for both TCP and UDP on 127.0.0.1 (DNS binds both on one number). */
export const freeDnsPort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no port free for both TCP and UDP');
};

export interface DigRecord {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

export interface DigResult {
  readonly status: string;
  readonly flags: readonly string[];
  readonly answer: readonly DigRecord[];
  readonly additional: readonly DigRecord[];
  readonly authority: readonly DigRecord[];
  readonly output: string;
}

const section = (output: string, title: string): DigRecord[] => {
  const start = output.indexOf(`;; ${title} SECTION:\n`);
  if (start < 0) return [];
  const lines = output.slice(start).split('\n').slice(1);
  const records: DigRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') break;
    const [name, ttl, , type, ...data] = line.split(/\s+/);
    records.push({ name, ttl: Number(ttl), type, data: data.join(' ') });
  }
  return records;
};

/** Runs the real `dig` against the registry and reads its answer from the text it prints. */
export const dig = async (port: number, name: string, type: string, ...options: string[]): Promise<DigResult> => {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...options, name, type]);
  const header = /status: (\w+)/.exec(stdout);
  const flags = /;; flags: ([\w ]+);/.exec(stdout);
  return {
    status: header?.[1] ?? `no header in: ${stdout}`,
    flags: flags?.[1].split(' ') ?? [],
    answer: section(stdout, 'ANSWER'),
    additional: section(stdout, 'ADDITIONAL'),
    authority: section(stdout, 'AUTHORITY'),
    output: stdout,
  };
};

/** HAProxy (Debian's haproxy) with a resolvers section pointing at the registry, and its runtime API. */
export class HaproxyProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** `server-template` of `slots` servers in backend `backend`, filled from the SRV name `srv`, asking over UDP or TCP. */
  static start(dnsPort: number, backend: string, srv: string, slots: number, transport: 'udp' | 'tcp' = 'udp'): HaproxyProcess {
    const dir = mkdtempSync(join(tmpdir(), 'registry-haproxy-'));
    const config = [
      'global',
      `  stats socket ${join(dir, 'admin.sock')} mode 600 level admin`,
      'defaults',
      '  mode tcp',
      '  timeout connect 1s',
      '  timeout client 5s',
      '  timeout server 5s',
      'resolvers registry',
      `  nameserver registry ${transport === 'tcp' ? 'tcp@' : ''}127.0.0.1:${dnsPort}`,
      '  accepted_payload_size 8192',
      '  resolve_retries 3',
      '  timeout resolve 500ms',
      '  timeout retry 500ms',
      '  hold valid 1s',
      '  hold obsolete 1s',
      `backend ${backend}`,
      `  server-template srv ${slots} ${srv} resolvers registry init-addr none`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'haproxy.cfg'), config);
    const child = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new HaproxyProcess(child, dir);
  }

  get log(): string {
    return this.output;
  }

  /** One runtime API command over the stats socket. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let answer = '';
      const socket = connect(join(this.dir, 'admin.sock'), () => socket.end(`${line}\n`));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });
  }

  /** `show servers state`: address and port of every slot HAProxy filled (skipping 0.0.0.0 / empty ones). */
  async servers(backend: string): Promise<{ name: string; address: string; port: number; fqdn: string }[]> {
    const text = await this.command(`show servers state ${backend}`);
    const lines = text.split('\n').filter((line) => /^\d+ /.test(line));
    // Columns (state file version 1): be_id be_name srv_id srv_name srv_addr srv_op_state ... srv_port(18) srvrecord(19)?
    return lines
      .map((line) => line.split(' '))
      .map((columns) => ({ name: columns[3], address: columns[4], port: Number(columns[18]), fqdn: columns[17] }))
      .filter((server) => server.address !== '-' && server.address !== '0.0.0.0');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
