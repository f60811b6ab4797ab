import { changeRowJson } from './slice-change-json';
import type { SliceChange } from './slice-change.repository';

/**
 * What a projector's commit announces on PROJECTION_COMMITS_CHANNEL: it took the resourceVersions
 * after `from` through `latest`, and when `changes` is present those are every slice change among
 * them, so a listener standing at `from` has the commit without reading the change log.
 */
export interface CommitNotice {
  readonly from: bigint;
  readonly latest: bigint;
  readonly changes?: readonly SliceChange[];
}

/** Postgres refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

/** The notice's payload: with the changes when they fit, else the range alone (listeners then read it). */
export const commitNoticePayload = (from: string, latest: string, changes: readonly SliceChange[]): string => {
  const range = `"from":"${from}","latest":"${latest}"`;
  const rangeOnly = `{${range}}`;
  const rows: string[] = [];
  let chars = `{${range},"changes":[]}`.length;
  for (const change of changes) {
    const row = changeRowJson(change);
    chars += row.length + 1;
    // String length is a lower bound on the UTF-8 size: stop early, check the bytes at the end.
    if (chars > MAX_PAYLOAD_BYTES) return rangeOnly;
    rows.push(row);
  }
  const full = `{${range},"changes":[${rows.join(',')}]}`;
  return Buffer.byteLength(full) <= MAX_PAYLOAD_BYTES ? full : rangeOnly;
};

/** undefined for a payload that is not a notice (an older projector sent the latest resourceVersion alone). */
export const parseCommitNotice = (payload: string | undefined): CommitNotice | undefined => {
  if (!payload?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(payload) as { from: string; latest: string; changes?: { rv: string; type: SliceChange['type']; event_ids: string[]; slice: SliceChange['slice'] }[] };
    return {
      from: BigInt(parsed.from),
      latest: BigInt(parsed.latest),
      ...(parsed.changes && { changes: parsed.changes.map((c) => ({ type: c.type, slice: c.slice, resourceVersion: c.rv, eventIds: c.event_ids })) }),
    };
  } catch {
    return undefined;
  }
};
