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
  /** What phase 1 kept; undefined for an in-sync slice, whose endpoints are copied only if filled. */
  kept: SliceEndpoint[] | undefined;
}

const sizeOf = (held: Held): number => held.kept?.length ?? held.existing.endpoints.length;

// k8s reconcileByPortMapping (§3.5): the three-phase fill of one (address type, port set) group.
export const fillPortGroup = (group: PortGroupFill, context: GroupContext): GroupWrites => {
  const max = context.maxEndpointsPerSlice;
  const { pending } = group;
  const held: Held[] = [];
  const deletes: EndpointSlice[] = [];

  // Phase 1: keep still-desired endpoints in place (desired version, original order), drop the rest.
  // Taking each endpoint out of `pending` leaves a duplicate only in the first slice walked.
  for (const slice of group.existing) {
    if (group.inSync?.(slice) === true) {
      held.push({ existing: slice, mark: 'unchanged', kept: undefined });
      continue;
    }
    const kept: SliceEndpoint[] = [];
    let endpointChanged = false;
    for (const endpoint of slice.endpoints) {
      const id = endpoint.targetRef.name;
      const wanted = pending.get(id);
      if (wanted === undefined || !sameIdentity(wanted, endpoint)) continue;
      kept.push(wanted);
      endpointChanged ||= !equalBeyondIdentity(wanted, endpoint);
      pending.delete(id);
    }
    if (endpointChanged || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) deletes.push(slice);
      else held.push({ existing: slice, mark: 'update', kept });
    } else {
      const mark = serviceLabelsDiffer(slice.labels, context.definition) ? 'update' : 'unchanged';
      held.push({ existing: slice, mark, kept });
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
  // Only a walk marks a slice for update here, so each has its kept list.
  const beingUpdated = held.filter((entry) => entry.mark === 'update');
  for (const entry of beingUpdated.sort((a, b) => sizeOf(b) - sizeOf(a))) {
    if (entry.kept !== undefined) fillUp(entry.kept);
  }

  // Phase 3: a remainder below M goes whole into the tightest-fitting unchanged slice, else into
  // a new slice; a remainder is never split across existing slices.
  const creates: SliceDraft[] = [];
  const candidates = held.filter((entry) => entry.mark === 'unchanged');
  while (remaining.length > 0) {
    const reused = remaining.length < max ? tightestFit(candidates, remaining.length, max) : undefined;
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
      reused.kept ??= [...reused.existing.endpoints];
      fillUp(reused.kept);
      reused.mark = 'update';
      candidates.splice(candidates.indexOf(reused), 1);
    }
  }

  // A loop, not flatMap: a group of a large service holds hundreds of in-sync slices, and flatMap
  // allocated an empty array for each on every command.
  const drafted = (wanted: Mark): DraftOf[] => {
    const drafts: DraftOf[] = [];
    for (const { existing: slice, mark, kept } of held) {
      if (mark === wanted && kept !== undefined) {
        drafts.push({ existing: slice, draft: { addressType: slice.addressType, ports: slice.ports, labels: context.labels, endpoints: kept } });
      }
    }
    return drafts;
  };
  return { create: creates, update: drafted('update'), delete: deletes, unchanged: drafted('unchanged') };
};

// k8s getSliceToFill: smallest M - (len + remainder) that is >= 0; a perfect fit ends the search.
const tightestFit = (candidates: readonly Held[], remainder: number, max: number): Held | undefined => {
  let closest: Held | undefined;
  let closestGap = max;
  for (const candidate of candidates) {
    const gap = max - (sizeOf(candidate) + remainder);
    if (gap >= 0 && gap < closestGap) {
      closest = candidate;
      closestGap = gap;
      if (gap === 0) return closest;
    }
  }
  return closest;
};
