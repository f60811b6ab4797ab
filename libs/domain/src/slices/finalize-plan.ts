import type { AddressType, ServiceDefinition } from '../registry/model';
import type { EndpointSlice } from './endpoint-slice';
import type { DraftOf, FamilyWrites, SliceDraft } from './slice-draft';
import { nextGeneration } from './slice-generation';
import { sliceNamePrefix } from './slice-name';
import type { ReconcileOptions, SlicePlan } from './slice-plan';

// Guards a deterministic suffix source that keeps returning taken names (the API server gives up
// after 7 retries, KEP-4420); reaching it means the caller's generator is broken.
const MAX_NAME_ATTEMPTS = 100;

export const checkMaxEndpointsPerSlice = (max: number): void => {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`maxEndpointsPerSlice must be an integer >= 1, got ${max}`);
  }
};

// k8s finalize (§3.7), after every served family has been reconciled: creates get their names,
// updates keep theirs, and slices of a family the service no longer serves go last (§3.2).
export const finalizePlan = (
  writes: readonly FamilyWrites[],
  families: readonly AddressType[],
  existing: readonly EndpointSlice[],
  definition: ServiceDefinition,
  options: ReconcileOptions,
): SlicePlan => {
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

// The server would pick the name on create (generateName), so names are drawn only for slices
// that are still creates after recycling, skipping any the service's slices already use.
const nameNewSlices = (
  drafts: readonly SliceDraft[],
  existing: readonly EndpointSlice[],
  definition: ServiceDefinition,
  options: ReconcileOptions,
): EndpointSlice[] => {
  if (drafts.length === 0) return [];
  // Most commands create no slice: the set of the service's names (500 for 50,000 endpoints) is
  // built only for those that do.
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
