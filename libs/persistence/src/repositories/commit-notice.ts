import { singlePartVerdict, type CommandOutcomeRecord, type CommandVerdict } from './command-outcome.repository';
import { changeRowJson } from './slice-change-json';
import type { SliceChange } from './slice-change.repository';

/**
 * What a projector's commit announces on PROJECTION_COMMITS_CHANNEL: it took the resourceVersions
 * after `from` through `latest`; when `changes` is present those are every slice change among
 * them, so a listener standing at `from` has the commit without reading the change log; when
 * `verdicts` is present it holds every verdict the commit stored, by command id, so a mutation
 * waiting for its verdict needs no read either.
 */
export interface CommitNotice {
  readonly from: bigint;
  readonly latest: bigint;
  readonly changes?: readonly SliceChange[];
  readonly verdicts?: ReadonlyMap<string, CommandVerdict>;
}

/** Postgres refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

/**
 * The notice's payload: the range, the verdicts when they fit (they are small and spare every
 * replica a read per commit), then the changes when they fit too. Verdicts are left out when a
 * command spans several services: its other parts' verdicts are in other commits.
 */
export const commitNoticePayload = (from: string, latest: string, changes: readonly SliceChange[], outcomes: readonly CommandOutcomeRecord[]): string => {
  const range = `"from":"${from}","latest":"${latest}"`;
  const withVerdicts = outcomes.some((o) => o.parts !== 1)
    ? range
    : `${range},"verdicts":${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.commandId, singlePartVerdict(o)])))}`;
  const head = Buffer.byteLength(withVerdicts) + 2 <= MAX_PAYLOAD_BYTES ? withVerdicts : range;
  const rows: string[] = [];
  let chars = `{${head},"changes":[]}`.length;
  for (const change of changes) {
    const row = changeRowJson(change);
    chars += row.length + 1;
    // String length is a lower bound on the UTF-8 size: stop early, check the bytes at the end.
    if (chars > MAX_PAYLOAD_BYTES) return `{${head}}`;
    rows.push(row);
  }
  const full = `{${head},"changes":[${rows.join(',')}]}`;
  return Buffer.byteLength(full) <= MAX_PAYLOAD_BYTES ? full : `{${head}}`;
};

/** undefined for a payload that is not a notice (an older projector sent the latest resourceVersion alone). */
export const parseCommitNotice = (payload: string | undefined): CommitNotice | undefined => {
  if (!payload?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(payload) as {
      from: string;
      latest: string;
      changes?: { rv: string; type: SliceChange['type']; event_ids: string[]; slice: SliceChange['slice'] }[];
      verdicts?: Record<string, CommandVerdict>;
    };
    return {
      from: BigInt(parsed.from),
      latest: BigInt(parsed.latest),
      ...(parsed.changes && { changes: parsed.changes.map((c) => ({ type: c.type, slice: c.slice, resourceVersion: c.rv, eventIds: c.event_ids })) }),
      ...(parsed.verdicts && { verdicts: new Map(Object.entries(parsed.verdicts)) }),
    };
  } catch {
    return undefined;
  }
};
