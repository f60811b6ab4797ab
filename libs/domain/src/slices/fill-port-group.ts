import type { AddressType, Labels, ServiceDefinition } from '../registry/model';
import type { EndpointSlice, SliceEndpoint, SlicePort } from './endpoint-slice';
import { equalBeyondIdentity, sameIdentity } from './endpoint-identity';
import type { DraftOf, SliceDraft } from './slice-draft';
import { serviceLabelsDiffer } from './slice-labels';

export interface GroupContext {
  readonly definition: ServiceDefinition;
  readonly labels: Labels;
  readonly maxEndpointsPerSlice: number;
}

/** One (address type, port set) group as the fill phases see it. */
export interface PortGroupFill {
  readonly addressType: AddressType;
  readonly ports: readonly SlicePort[];
  /** The existing slices of this port set, in name order. */
  readonly existing: readonly EndpointSlice[];
  /**
   * Desired endpoints by id (targetRef.name: one per id in a group), in desired order (by id),
   * covering every endpoint a walked slice may keep. Phase 1 takes out each it finds with the same
   * identity (sameIdentity: upstream's endpointHash); the rest is new to the group. Consumed.
   */
  readonly pending: Map<string, SliceEndpoint>;
  /**
   * Slices phase 1 need not walk because every endpoint they hold is desired and current (the
   * incremental planner knows which slices no change touched); they are unchanged.
   */
  readonly inSync?: (slice: EndpointSlice) => boolean;
  /** With `inSync`: the slices that are not in sync, in name order, so phase 1 need not look at the others. */
  readonly walk?: readonly EndpointSlice[];
  /**
   * With `walk`: the ids a change touched. A walked slice's other endpoints are their own desired
   * versions, kept in place without a look at `pending` (which then holds only changed ones).
   */
  readonly changed?: ReadonlySet<string>;
}

export interface GroupWrites {
  readonly create: readonly SliceDraft[];
  /** In the order of the existing slices. */
  readonly update: readonly DraftOf[];
  readonly delete: readonly EndpointSlice[];
  /**
   * Walked slices phase 1 left as they were, their endpoints replaced by the desired versions for
   * the hint stage; in-sync slices are not listed, their hints being current too.
   */
  readonly unchanged: readonly DraftOf[];
}

type Mark = 'update' | 'unchanged';

interface Held {
  readonly existing: EndpointSlice;
  mark: Mark;
  /** What phase 1 kept, or an in-sync slice's endpoints once phase 3 fills it. */
  readonly kept: SliceEndpoint[];
}

// k8s reconcileByPortMapping (§3.5): the three-phase fill of one (address type, port set) group.
// An in-sync slice stays a bare slice (no entry) unless phase 3 fills it: a group of a large
// service holds hundreds of them, and a command walks one or two.
export const fillPortGroup = (group: PortGroupFill, context: GroupContext): GroupWrites => {
  const max = context.maxEndpointsPerSlice;
  const { pending } = group;
  const inSync = (slice: EndpointSlice): boolean => group.inSync?.(slice) === true;
  /** Walked slices phase 1 kept, and in-sync slices phase 3 filled, by slice. */
  const held = new Map<EndpointSlice, Held>();
  const deletes: EndpointSlice[] = [];

  // Phase 1: keep still-desired endpoints in place (desired version, original order), drop the rest.
  // Taking each endpoint out of `pending` leaves a duplicate only in the first slice walked.
  for (const slice of group.walk ?? group.existing) {
    if (inSync(slice)) continue;
    const kept: SliceEndpoint[] = [];
    let endpointChanged = false;
    for (const endpoint of slice.endpoints) {
      const id = endpoint.targetRef.name;
      if (group.changed !== undefined && !group.changed.has(id)) {
        kept.push(endpoint);
        continue;
      }
      const wanted = pending.get(id);
      if (wanted === undefined || !sameIdentity(wanted, endpoint)) continue;
      kept.push(wanted);
      endpointChanged ||= !equalBeyondIdentity(wanted, endpoint);
      pending.delete(id);
    }
    if (endpointChanged || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) deletes.push(slice);
      else held.set(slice, { existing: slice, mark: 'update', kept });
    } else {
      const mark = serviceLabelsDiffer(slice.labels, context.definition) ? 'update' : 'unchanged';
      held.set(slice, { existing: slice, mark, kept });
    }
  }

  const remaining = [...pending.values()].reverse();
  const fillUp = (endpoints: SliceEndpoint[]): void => {
    while (endpoints.length < max) {
      const endpoint = remaining.pop();
      if (endpoint === undefined) return;
      endpoints.push(endpoint);
    }
  };

  // Phase 2: slices written anyway absorb new endpoints at no extra write, fullest first.
  const beingUpdated = [...held.values()].filter((entry) => entry.mark === 'update');
  for (const entry of beingUpdated.sort((a, b) => b.kept.length - a.kept.length)) fillUp(entry.kept);

  // Phase 3: a remainder below M goes whole into the tightest-fitting unchanged slice (walked or
  // in sync), else into a new slice; a remainder is never split across existing slices.
  const creates: SliceDraft[] = [];
  let filledInSync = false;
  while (remaining.length > 0) {
    const reused = remaining.length < max ? tightestFit(group.existing, held, inSync, remaining.length, max) : undefined;
    if (reused === undefined) {
      const created: SliceDraft = {
        addressType: group.addressType,
        ports: group.ports,
        labels: context.labels,
        endpoints: [],
      };
      fillUp(created.endpoints);
      creates.push(created);
    } else {
      let entry = held.get(reused);
      if (entry === undefined) {
        entry = { existing: reused, mark: 'update', kept: [...reused.endpoints] };
        held.set(reused, entry);
        filledInSync = true;
      }
      entry.mark = 'update';
      fillUp(entry.kept);
    }
  }

  // In the order of the existing slices, which the walked ones were held in; an in-sync slice
  // phase 3 filled was held after them, so then the slices are walked again for the order.
  let entries = [...held.values()];
  if (filledInSync) {
    entries = [];
    for (const slice of group.existing) {
      const entry = held.get(slice);
      if (entry !== undefined) entries.push(entry);
    }
  }
  const drafted = (wanted: Mark): DraftOf[] => {
    const drafts: DraftOf[] = [];
    for (const { existing: slice, mark, kept } of entries) {
      if (mark === wanted) drafts.push({ existing: slice, draft: { addressType: slice.addressType, ports: slice.ports, labels: context.labels, endpoints: kept } });
    }
    return drafts;
  };
  return { create: creates, update: drafted('update'), delete: deletes, unchanged: drafted('unchanged') };
};

// k8s getSliceToFill: smallest M - (len + remainder) that is >= 0, first in slice order on a tie;
// a perfect fit ends the search. Candidates: slices left unchanged so far (in sync, or walked and kept).
const tightestFit = (
  slices: readonly EndpointSlice[],
  held: ReadonlyMap<EndpointSlice, Held>,
  inSync: (slice: EndpointSlice) => boolean,
  remainder: number,
  max: number,
): EndpointSlice | undefined => {
  let closest: EndpointSlice | undefined;
  let closestGap = max;
  for (const slice of slices) {
    const entry = held.get(slice);
    let size: number;
    if (entry !== undefined) {
      if (entry.mark !== 'unchanged') continue;
      size = entry.kept.length;
    } else if (inSync(slice)) {
      size = slice.endpoints.length;
    } else {
      continue;
    }
    const gap = max - (size + remainder);
    if (gap >= 0 && gap < closestGap) {
      closest = slice;
      closestGap = gap;
      if (gap === 0) return closest;
    }
  }
  return closest;
};
