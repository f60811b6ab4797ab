import type { AddressType, ServiceDefinition } from '../registry/model';
import type { EndpointSlice } from './endpoint-slice';
import { equalHints } from './endpoint-identity';
import { fillPortGroup, type GroupContext, type PortGroupFill } from './fill-port-group';
import { portSetKey } from './port-set';
import type { DraftOf, FamilyWrites, SliceDraft } from './slice-draft';
import { equalLabels } from './slice-labels';

/** One address family of a service, as the full and the incremental planner hand it over. */
export interface FamilyFill {
  readonly addressType: AddressType;
  /** How many existing slices the family has. */
  readonly sliceCount: number;
  /** The family's existing slices by port set key (`bucketByPortSet`). */
  readonly buckets: ReadonlyMap<string, readonly EndpointSlice[]>;
  /**
   * The desired groups that may need writes, in port key order. The full planner passes every
   * desired group; the incremental one leaves out groups no change touches, which write nothing.
   */
  readonly groups: readonly (PortGroupFill & { readonly portKey: string })[];
  /** Whether some desired endpoint still resolves to this port set. */
  readonly isDesired: (portKey: string) => boolean;
}

// Bucket order is the order of first appearance, which later decides the order of deletes.
export const bucketByPortSet = (slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> => {
  const buckets = new Map<string, EndpointSlice[]>();
  // The slices of a port group share their ports list: a comparison instead of two lookups each.
  let lastPorts: EndpointSlice['ports'] | undefined;
  let lastBucket: EndpointSlice[] | undefined;
  for (const slice of slices) {
    if (lastBucket === undefined || slice.ports !== lastPorts) {
      lastPorts = slice.ports;
      const key = portSetKey(slice.ports);
      lastBucket = buckets.get(key);
      if (lastBucket === undefined) {
        lastBucket = [];
        buckets.set(key, lastBucket);
      }
    }
    lastBucket.push(slice);
  }
  return buckets;
};

// k8s reconcileByAddressType + finalize: each family is reconciled with only its own slices.
export const reconcileFamily = (family: FamilyFill, context: GroupContext): FamilyWrites => {
  const { addressType } = family;
  const create: SliceDraft[] = [];
  const update: DraftOf[] = [];
  const unchanged: DraftOf[] = [];
  let remove: EndpointSlice[] = [];
  for (const group of family.groups) {
    const outcome = fillPortGroup(group, context);
    create.push(...outcome.create);
    update.push(...outcome.update);
    remove.push(...outcome.delete);
    unchanged.push(...outcome.unchanged);
  }
  // §3.4: a port set nobody resolves to any more (e.g. after a port change) loses all its slices.
  for (const [key, slices] of family.buckets) {
    if (!family.isDesired(key)) remove.push(...slices);
  }

  // §3.6: a family whose slices would all disappear keeps one empty placeholder; an existing
  // identical placeholder is left alone (no delete + create churn, kubernetes#108231).
  if (family.sliceCount === remove.length && create.length === 0) {
    const placeholder: SliceDraft = { addressType, ports: [], labels: context.labels, endpoints: [] };
    const [only] = remove;
    if (remove.length === 1 && only !== undefined && isSamePlaceholder(only, placeholder, context.definition)) {
      remove = [];
    } else {
      create.push(placeholder);
    }
  }

  // §3.11: an otherwise unchanged slice is rewritten only when some endpoint's hints are wrong.
  update.push(...unchanged.filter(({ existing: slice, draft }) => hintsOutdated(slice, draft)));

  return recycle({ create, update, delete: remove });
};

// k8s placeholderSliceCompare: namespace, exact label map, and empty content; name, creation time
// and annotations do not matter.
const isSamePlaceholder = (slice: EndpointSlice, placeholder: SliceDraft, definition: ServiceDefinition): boolean =>
  slice.namespace === definition.namespace &&
  equalLabels(slice.labels, placeholder.labels) &&
  slice.addressType === placeholder.addressType &&
  slice.ports.length === 0 &&
  slice.endpoints.length === 0;

const hintsOutdated = (slice: EndpointSlice, draft: SliceDraft): boolean =>
  slice.endpoints.some((endpoint, i) => !equalHints(endpoint.hints, draft.endpoints[i]?.hints));

// k8s finalize (§3.7): while creates and deletes remain, the last create takes over the next
// delete of the same address type, turning create + delete into one update under the old name.
const recycle = (writes: { create: SliceDraft[]; update: DraftOf[]; delete: EndpointSlice[] }): FamilyWrites => {
  const { create, update } = writes;
  const remove = [...writes.delete];
  let i = 0;
  while (i < remove.length && create.length > 0) {
    const doomed = remove[i];
    const last = create[create.length - 1];
    if (doomed !== undefined && last !== undefined && doomed.addressType === last.addressType) {
      create.pop();
      update.push({ existing: doomed, draft: last });
      remove.splice(i, 1);
    } else {
      i += 1;
    }
  }
  return { create, update, delete: remove };
};
