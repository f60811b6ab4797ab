import { readFileSync } from 'node:fs';
import type { ClientHops } from '../tasks/registry';
import { Recorder, type LatencySummary } from './stats';

/**
 * The path of one mutation, in order: the client's send, the registry's HOP_TRACE marks (API,
 * projector, API again), the client's first receipt. Each step is timed from the step before it.
 */
export const HOP_ORDER = [
  'client.sent',
  'api.resolver',
  'api.decided',
  'api.appended',
  'projector.fetched',
  'projector.judged',
  'projector.claimed',
  'projector.flushing',
  'projector.written',
  'projector.committed',
  'api.feed-read',
  'api.feed-dispatched',
  'client.received',
] as const;

/** trace id -> hop -> the first time it was marked (epoch ms), from the HOP_TRACE lines of the given logs. */
const serverHops = (logFiles: readonly string[]): Map<string, Map<string, number>> => {
  const traces = new Map<string, Map<string, number>>();
  for (const file of logFiles) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{"hop"')) continue;
      const { hop, trace, at } = JSON.parse(line) as { hop: string; trace: string; at: number };
      const hops = traces.get(trace) ?? new Map<string, number>();
      if (!hops.has(hop)) hops.set(hop, at);
      traces.set(trace, hops);
    }
  }
  return traces;
};

/** One traced mutation: end to end (undefined if never received) and per step of HOP_ORDER (undefined where a mark is missing). */
interface MutationSteps {
  readonly total: number | undefined;
  readonly steps: readonly (number | undefined)[];
}

const perMutation = (client: readonly ClientHops[], logFiles: readonly string[]): MutationSteps[] => {
  const server = serverHops(logFiles);
  return client.filter(Boolean).map((mutation) => {
    const marks = server.get(mutation.trace) ?? new Map<string, number>();
    marks.set('client.sent', mutation.sent);
    if (mutation.received !== undefined) marks.set('client.received', mutation.received);
    const steps = HOP_ORDER.slice(1).map((hop, i) => {
      const from = marks.get(HOP_ORDER[i]);
      const to = marks.get(hop);
      return from !== undefined && to !== undefined ? to - from : undefined;
    });
    return { total: mutation.received === undefined ? undefined : mutation.received - mutation.sent, steps };
  });
};

/** How many of the slowest mutations the breakdown lists step by step: the p99 of 300 is the third slowest. */
const SLOWEST = 5;

/**
 * Per step of HOP_ORDER: the time from the step before, over the mutations that were seen at both;
 * and the slowest mutations end to end, step by step, since the p99s of the steps need not add up
 * to the p99 of the whole.
 */
export const hopBreakdown = (client: readonly ClientHops[], logFiles: readonly string[]): HopBreakdown => {
  const mutations = perMutation(client, logFiles);
  const steps = HOP_ORDER.slice(1).map(() => new Recorder());
  for (const mutation of mutations) mutation.steps.forEach((ms, i) => ms !== undefined && steps[i].push(ms));
  const slowest = mutations
    .filter((m): m is MutationSteps & { total: number } => m.total !== undefined)
    .sort((a, b) => b.total - a.total)
    .slice(0, SLOWEST)
    .map((m) => ({ total: m.total, steps: m.steps.map((ms) => ms ?? null) }));
  return { steps: Object.fromEntries(HOP_ORDER.slice(1).map((_, i) => [stepName(i), steps[i].summary()])), slowest };
};

const stepName = (i: number): string => `${HOP_ORDER[i]} -> ${HOP_ORDER[i + 1]}`;

export interface HopBreakdown {
  steps: Record<string, LatencySummary>;
  /** End to end and per step (ms, null where a mark is missing), slowest first. */
  slowest: { total: number; steps: (number | null)[] }[];
}

/** The breakdown as report lines: each step's p50 and p99, then the slowest mutations as columns. */
export const renderHops = (hops: HopBreakdown): string => {
  const fixed = (ms: number | null) => (ms === null ? '-' : ms.toFixed(1)).padStart(6);
  const header = `  ${'step'.padEnd(46)} ${'p50'.padStart(8)}    ${'p99'.padStart(8)}    slowest ${hops.slowest.length} (ms)`;
  const lines = Object.entries(hops.steps).map(
    ([step, l], i) => `  ${step.padEnd(46)} ${l.p50.toFixed(2).padStart(8)} ms ${l.p99.toFixed(2).padStart(8)} ms ${hops.slowest.map((m) => fixed(m.steps[i])).join('')}  (${l.count})`,
  );
  const total = `  ${'end to end'.padEnd(46)} ${''.padStart(8)}    ${''.padStart(8)}    ${hops.slowest.map((m) => fixed(m.total)).join('')}`;
  return [header, ...lines, total].join('\n');
};
