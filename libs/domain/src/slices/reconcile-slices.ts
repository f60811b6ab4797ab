import type { AddressType, ServiceDefinition } from '../registry/model';
import type { ServiceState } from '../registry/state';
import { desiredEndpoints, type DesiredGroup } from './desired-endpoints';
import type { EndpointSlice } from './endpoint-slice';
import { equalHints } from './endpoint-identity';
import { fillPortGroup, type GroupContext } from './fill-port-group';
import { portSetKey } from './port-set';
import type { DraftOf, FamilyWrites, SliceDraft } from './slice-draft';
import { nextGeneration } from './slice-generation';
import { equalLabels, sliceLabels } from './slice-labels';
import { sliceNamePrefix } from './slice-name';
import type { ReconcileOptions, SlicePlan } from './slice-plan';

// Guards a deterministic suffix source that keeps returning taken names (the API server gives up
// after 7 retries, KEP-4420); reaching it means the caller's generator is broken.
const MAX_NAME_ATTEMPTS = 100;

/**
 * k8s Reconciler.Reconcile for one service. `state === undefined` means the service is gone: every
 * existing slice is deleted (upstream leaves that to the garbage collector).
 */
export const reconcileSlices = (
  state: ServiceState | undefined,
  existing: readonly EndpointSlice[],
  options: ReconcileOptions,
): SlicePlan => {
  if (state === undefined) return { create: [], update: [], delete: [...existing] };
  const max = options.maxEndpointsPerSlice;
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`maxEndpointsPerSlice must be an integer >= 1, got ${max}`);
  }

  const { definition } = state;
  const families = [...new Set(definition.addressTypes)];
  const groups = desiredEndpoints(state);
  const context: GroupContext = { definition, labels: sliceLabels(definition), maxEndpointsPerSlice: max };
  const writes = families.map((addressType) =>
    reconcileFamily(
      addressType,
      groups.filter((group) => group.addressType === addressType),
      existing.filter((slice) => slice.addressType === addressType),
      context,
    ),
  );
  // k8s §3.2: slices of a family the service no longer serves go last and are never recycled.
  const unserved = existing.filter((slice) => !families.includes(slice.addressType));

  return {
    create: nameNewSlices(
      writes.flatMap((family) => family.create),
      existing,
      definition,
      options,
    ),
    update: writes.flatMap((family) => family.update).map(toUpdatedSlice),
    delete: [...writes.flatMap((family) => family.delete), ...unserved],
  };
};

// k8s reconcileByAddressType + finalize: each family is reconciled with only its own slices.
const reconcileFamily = (
  addressType: AddressType,
  groups: readonly DesiredGroup[],
  existing: readonly EndpointSlice[],
  context: GroupContext,
): FamilyWrites => {
  const buckets = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = portSetKey(slice.ports);
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [slice]);
    else bucket.push(slice);
  }

  const create: SliceDraft[] = [];
  const update: DraftOf[] = [];
  const unchanged: DraftOf[] = [];
  let remove: EndpointSlice[] = [];
  for (const group of groups) {
    const outcome = fillPortGroup(group, buckets.get(group.portKey) ?? [], context);
    create.push(...outcome.create);
    update.push(...outcome.update);
    remove.push(...outcome.delete);
    unchanged.push(...outcome.unchanged);
  }
  // §3.4: a port set nobody resolves to any more (e.g. after a port change) loses all its slices.
  const desiredKeys = new Set(groups.map((group) => group.portKey));
  for (const [key, slices] of buckets) {
    if (!desiredKeys.has(key)) remove.push(...slices);
  }

  // §3.6: a family whose slices would all disappear keeps one empty placeholder; an existing
  // identical placeholder is left alone (no delete + create churn, kubernetes#108231).
  if (existing.length === remove.length && create.length === 0) {
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

// The server would pick the name on create (generateName), so names are drawn only for slices
// that are still creates after recycling, skipping any the service's slices already use.
const nameNewSlices = (
  drafts: readonly SliceDraft[],
  existing: readonly EndpointSlice[],
  definition: ServiceDefinition,
  options: ReconcileOptions,
): EndpointSlice[] => {
  const taken = new Set(existing.map((slice) => slice.name));
  const prefix = sliceNamePrefix(definition.name);
  return drafts.map((draft) => {
    const name = freshName(prefix, taken, options.nameSuffix);
    taken.add(name);
    return {
      namespace: definition.namespace,
      name,
      uid: options.uidFor(name),
      labels: draft.labels,
      annotations: {},
      generation: 1,
      creationTimestamp: options.now,
      addressType: draft.addressType,
      endpoints: [...draft.endpoints],
      ports: [...draft.ports],
    };
  });
};

const freshName = (prefix: string, taken: ReadonlySet<string>, nameSuffix: () => string): string => {
  for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt += 1) {
    const name = prefix + nameSuffix();
    if (!taken.has(name)) return name;
  }
  throw new Error(`nameSuffix returned ${MAX_NAME_ATTEMPTS} names already taken for prefix ${prefix}`);
};

// An update, recycled or not, is the same stored object: name, uid and creationTimestamp stay.
const toUpdatedSlice = ({ existing, draft }: DraftOf): EndpointSlice => {
  const content = {
    addressType: existing.addressType,
    labels: draft.labels,
    endpoints: [...draft.endpoints],
    ports: [...draft.ports],
  };
  return {
    namespace: existing.namespace,
    name: existing.name,
    uid: existing.uid,
    annotations: {},
    generation: nextGeneration(existing, content),
    creationTimestamp: existing.creationTimestamp,
    ...content,
  };
};
