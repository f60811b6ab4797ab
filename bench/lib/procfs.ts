import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** utime + stime of a live process, in seconds. */
export const cpuSeconds = (pid: number): number | undefined => {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};

/** Resident set size now and its peak (VmHWM), in MB. */
export const memoryMb = (pid: number): { rssMb: number; peakMb: number } | undefined => {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, peakMb: Math.round(kb('VmHWM') / 102.4) / 10 };
};

/**
 * Writes back the page cache that earlier phases left dirty (the `sync` command) and returns how
 * many MB were dirty: a latency phase then measures its own fsyncs, not the kernel's writeback of
 * what came before.
 */
export const settleWriteback = (): number => {
  const dirtyKb = Number(/^Dirty:\s+(\d+) kB/m.exec(read('/proc/meminfo') ?? '')?.[1] ?? NaN);
  execFileSync('sync');
  return Math.round(dirtyKb / 102.4) / 10;
};

const pids = (): number[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);

export const pidsWhere = (test: (comm: string, cmdline: string) => boolean): number[] =>
  pids().filter((pid) => {
    const comm = read(`/proc/${pid}/comm`)?.trim() ?? '';
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ');
    return test(comm, cmdline);
  });

/** Busy and total jiffies of the whole machine. */
export const machineJiffies = (): { busy: number; total: number } => {
  const line = (read('/proc/stat') ?? '').split('\n')[0];
  const values = line.split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
};

export const isAlive = (pid: number): boolean => read(`/proc/${pid}/stat`) !== undefined;

/** Samples a process's RSS every `everyMs` until stopped; resolves to the highest sample (MB). */
export const rssSampler = (pid: number, everyMs = 250): { stop: () => number } => {
  let peak = memoryMb(pid)?.rssMb ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryMb(pid)?.rssMb ?? 0);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, memoryMb(pid)?.rssMb ?? 0);
    },
  };
};
