import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sleep } from './loops';

/** A server process the bench started: output to a log file, stopped by its own pid only. */
export class ManagedProcess {
  readonly exited: Promise<number | null>;
  private exitCode?: number | null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((this.exitCode = code ?? (signal ? -1 : null)))));
  }

  static start(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): ManagedProcess {
    const fd = openSync(options.logFile, 'a');
    try {
      const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
      if (child.pid === undefined) throw new Error(`${name}: ${command} did not start`);
      return new ManagedProcess(name, child, options.logFile);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Polls `check` every `everyMs` until it returns true, throwing after `timeoutMs` (or when `alive` turns false). */
export const waitUntil = async (
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; everyMs?: number; alive?: () => boolean },
): Promise<void> => {
  const until = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.alive && !options.alive()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    if (Date.now() >= until) throw new Error(`${what}: not within ${options.timeoutMs} ms`);
    await sleep(options.everyMs ?? 200);
  }
};

export const httpOk = async (url: string): Promise<boolean> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.ok;
};

/** Prometheus text exposition -> name -> value (unlabelled samples only). */
export const scrape = async (url: string): Promise<Map<string, number>> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) ([-+0-9.eE]+|NaN)$/.exec(line.trim());
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
};
