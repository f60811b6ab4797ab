import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { singlePartVerdict, type CommandOutcomeRecord, type CommandVerdict } from './command-outcome.repository';
import { changeRowJson, endpointsJsonOf } from './slice-change-json';
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
 * Changes longer than this are not compressed for a notice: a slice's JSON shrinks about sixfold
 * in LZ4, so they would not fit anyway, and a busy commit would pay for trying.
 */
const MAX_COMPRESSED_CHARS = 48_000;

/**
 * The notice's payload: the range, the verdicts when they fit (they are small and spare every
 * replica a read per commit), then the changes when they fit too, as JSON or else LZ4-compressed
 * in base64 (`changesLz4`: one slice of 100 endpoints is about 15 kB of JSON, 3 kB compressed).
 * Verdicts are left out when a command spans several services: its other parts' verdicts are in
 * other commits.
 */
export const commitNoticePayload = (from: string, latest: string, changes: readonly SliceChange[], outcomes: readonly CommandOutcomeRecord[]): string => {
  const range = `"from":"${from}","latest":"${latest}"`;
  const withVerdicts = outcomes.some((o) => o.parts !== 1)
    ? range
    : `${range},"verdicts":${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.commandId, singlePartVerdict(o)])))}`;
  const head = Buffer.byteLength(withVerdicts) + 2 <= MAX_PAYLOAD_BYTES ? withVerdicts : range;
  // The endpoints are nearly all of the rows: a busy commit's rows were written out, 15 kB each,
  // until they passed the bound, and dropped.
  if (changes.reduce((bytes, change) => bytes + endpointsJsonOf(change).length, 0) > MAX_COMPRESSED_CHARS) return `{${head}}`;
  const rows: string[] = [];
  let chars = 2;
  for (const change of changes) {
    const row = changeRowJson(change);
    chars += row.length + 1;
    if (chars > MAX_COMPRESSED_CHARS) return `{${head}}`;
    rows.push(row);
  }
  const list = `[${rows.join(',')}]`;
  const full = `{${head},"changes":${list}}`;
  if (Buffer.byteLength(full) <= MAX_PAYLOAD_BYTES) return full;
  // Base64 is ASCII: its length is its size.
  const packed = `{${head},"changesLz4":"${compressFrameSync(Buffer.from(list)).toString('base64')}"}`;
  return packed.length <= MAX_PAYLOAD_BYTES ? packed : `{${head}}`;
};

/** A change as changeRowJson writes it. */
interface NoticedChange {
  readonly rv: string;
  readonly type: SliceChange['type'];
  readonly event_ids: string[];
  readonly slice: SliceChange['slice'];
}

/** undefined for a payload that is not a notice (an older projector sent the latest resourceVersion alone). */
export const parseCommitNotice = (payload: string | undefined): CommitNotice | undefined => {
  if (!payload?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(payload) as {
      from: string;
      latest: string;
      changes?: NoticedChange[];
      changesLz4?: string;
      verdicts?: Record<string, CommandVerdict>;
    };
    const changes =
      parsed.changesLz4 === undefined ? parsed.changes : (JSON.parse(decompressFrameSync(Buffer.from(parsed.changesLz4, 'base64')).toString('utf8')) as NoticedChange[]);
    return {
      from: BigInt(parsed.from),
      latest: BigInt(parsed.latest),
      ...(changes && { changes: changes.map((c) => ({ type: c.type, slice: c.slice, resourceVersion: c.rv, eventIds: c.event_ids })) }),
      ...(parsed.verdicts && { verdicts: new Map(Object.entries(parsed.verdicts)) }),
    };
  } catch {
    return undefined;
  }
};
