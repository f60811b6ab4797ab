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

/** Per step of HOP_ORDER: the time from the step before, over the mutations that were seen at both. */
export const hopBreakdown = (client: readonly ClientHops[], logFiles: readonly string[]): Record<string, LatencySummary> => {
  const server = serverHops(logFiles);
  const steps = HOP_ORDER.slice(1).map(() => new Recorder());
  for (const mutation of client) {
    if (!mutation) continue;
    const marks = server.get(mutation.trace) ?? new Map<string, number>();
    marks.set('client.sent', mutation.sent);
    if (mutation.received !== undefined) marks.set('client.received', mutation.received);
    HOP_ORDER.slice(1).forEach((hop, i) => {
      const from = marks.get(HOP_ORDER[i]);
      const to = marks.get(hop);
      if (from !== undefined && to !== undefined) steps[i].push(to - from);
    });
  }
  return Object.fromEntries(HOP_ORDER.slice(1).map((hop, i) => [`${HOP_ORDER[i]} -> ${hop}`, steps[i].summary()]));
};
