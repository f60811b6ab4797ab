import type { Labels, ServiceDefinition } from '../registry/model';
import type { DesiredGroup } from './desired-endpoints';
import type { EndpointSlice, SliceEndpoint } from './endpoint-slice';
import { endpointIdentity, equalBeyondIdentity } from './endpoint-identity';
import type { DraftOf, SliceDraft } from './slice-draft';
import { serviceLabelsDiffer } from './slice-labels';

export interface GroupContext {
  readonly definition: ServiceDefinition;
  readonly labels: Labels;
  readonly maxEndpointsPerSlice: number;
}

export interface GroupWrites {
  readonly create: readonly SliceDraft[];
  /** In the order of the existing slices. */
  readonly update: readonly DraftOf[];
  readonly delete: readonly EndpointSlice[];
  /** Untouched slices, their endpoints replaced by the desired versions for the hint stage. */
  readonly unchanged: readonly DraftOf[];
}

type Mark = 'update' | 'unchanged';

// k8s reconcileByPortMapping (§3.5): the three-phase fill of one (address type, port set) group.
export const fillPortGroup = (
  group: DesiredGroup,
  existing: readonly EndpointSlice[],
  context: GroupContext,
): GroupWrites => {
  const max = context.maxEndpointsPerSlice;
  const pending = new Map(group.endpoints.map((endpoint) => [endpointIdentity(endpoint), endpoint] as const));
  const marks = new Map<DraftOf, Mark>();
  const deletes: EndpointSlice[] = [];

  // Phase 1: keep still-desired endpoints in place (desired version, original order), drop the rest.
  // Taking each endpoint out of `pending` leaves a duplicate only in the first slice walked.
  for (const slice of existing) {
    const kept: SliceEndpoint[] = [];
    let endpointChanged = false;
    for (const endpoint of slice.endpoints) {
      const key = endpointIdentity(endpoint);
      const wanted = pending.get(key);
      if (wanted === undefined) continue;
      kept.push(wanted);
      endpointChanged ||= !equalBeyondIdentity(wanted, endpoint);
      pending.delete(key);
    }
    const entry: DraftOf = {
      existing: slice,
      draft: { addressType: slice.addressType, ports: slice.ports, labels: context.labels, endpoints: kept },
    };
    if (endpointChanged || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) deletes.push(slice);
      else marks.set(entry, 'update');
    } else if (serviceLabelsDiffer(slice.labels, context.definition)) {
      marks.set(entry, 'update');
    } else {
      marks.set(entry, 'unchanged');
    }
  }

  const remaining = [...pending.values()].reverse();
  const fillUp = (draft: SliceDraft): void => {
    while (draft.endpoints.length < max) {
      const endpoint = remaining.pop();
      if (endpoint === undefined) return;
      draft.endpoints.push(endpoint);
    }
  };

  // Phase 2: slices written anyway absorb new endpoints at no extra write, fullest first.
  const beingUpdated = [...marks].filter(([, mark]) => mark === 'update').map(([entry]) => entry);
  for (const entry of beingUpdated.sort((a, b) => b.draft.endpoints.length - a.draft.endpoints.length)) {
    fillUp(entry.draft);
  }

  // Phase 3: a remainder below M goes whole into the tightest-fitting unchanged slice, else into
  // a new slice; a remainder is never split across existing slices.
  const creates: SliceDraft[] = [];
  const candidates = [...marks].filter(([, mark]) => mark === 'unchanged').map(([entry]) => entry);
  while (remaining.length > 0) {
    const reused = remaining.length < max ? tightestFit(candidates, remaining.length, max) : undefined;
    if (reused === undefined) {
      const created: SliceDraft = {
        addressType: group.addressType,
        ports: group.ports,
        labels: context.labels,
        endpoints: [],
      };
      fillUp(created);
      creates.push(created);
    } else {
      fillUp(reused.draft);
      marks.set(reused, 'update');
      candidates.splice(candidates.indexOf(reused), 1);
    }
  }

  const marked = (wanted: Mark): DraftOf[] => [...marks].filter(([, mark]) => mark === wanted).map(([entry]) => entry);
  return { create: creates, update: marked('update'), delete: deletes, unchanged: marked('unchanged') };
};

// k8s getSliceToFill: smallest M - (len + remainder) that is >= 0; a perfect fit ends the search.
const tightestFit = (candidates: readonly DraftOf[], remainder: number, max: number): DraftOf | undefined => {
  let closest: DraftOf | undefined;
  let closestGap = max;
  for (const candidate of candidates) {
    const gap = max - (candidate.draft.endpoints.length + remainder);
    if (gap >= 0 && gap < closestGap) {
      closest = candidate;
      closestGap = gap;
      if (gap === 0) return closest;
    }
  }
  return closest;
};
