import type { EndpointSlice } from '@lib/domain';

export interface ProjectionDifference {
  readonly slice: string;
  readonly problem: 'only in live' | 'only in replay' | 'differs';
  readonly fields?: readonly string[];
}

const COMPARED: readonly (keyof EndpointSlice)[] = [
  'uid',
  'creationTimestamp',
  'generation',
  'labels',
  'annotations',
  'addressType',
  'endpoints',
  'ports',
];

/** Canonical JSON: object keys sorted, so key order never counts as a difference. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/** Every difference between two sets of slices, resourceVersions aside. */
export const diffProjections = (live: readonly EndpointSlice[], replayed: readonly EndpointSlice[]): ProjectionDifference[] => {
  const key = (s: EndpointSlice) => `${s.namespace}/${s.name}`;
  const replayedByKey = new Map(replayed.map((s) => [key(s), s]));
  const differences: ProjectionDifference[] = [];
  for (const slice of live) {
    const other = replayedByKey.get(key(slice));
    replayedByKey.delete(key(slice));
    if (!other) {
      differences.push({ slice: key(slice), problem: 'only in live' });
      continue;
    }
    const fields = COMPARED.filter((field) => canonical(slice[field]) !== canonical(other[field]));
    if (fields.length > 0) differences.push({ slice: key(slice), problem: 'differs', fields });
  }
  for (const slice of replayedByKey.keys()) differences.push({ slice, problem: 'only in replay' });
  return differences.sort((a, b) => (a.slice < b.slice ? -1 : a.slice > b.slice ? 1 : 0));
};
