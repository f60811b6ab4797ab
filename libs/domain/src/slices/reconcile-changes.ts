import type { AddressType, EndpointDefinition, ServiceDefinition } from '../registry/model';
import { compareText } from './compare-text';
import { desiredEndpointsOf, type DesiredGroup } from './desired-endpoints';
import type { EndpointSlice } from './endpoint-slice';
import type { GroupContext } from './fill-port-group';
import { checkMaxEndpointsPerSlice, finalizePlan } from './finalize-plan';
import { portSetKey } from './port-set';
import { bucketByPortSet, reconcileFamily, type FamilyFill } from './reconcile-family';
import { sliceLabels } from './slice-labels';
import type { ReconcileOptions, SlicePlan } from './slice-plan';

export interface EndpointChange {
  /** Endpoint id (= targetRef.name of its slice endpoints). */
  readonly id: string;
  /** The endpoint after the command; undefined = removed. */
  readonly endpoint?: EndpointDefinition;
}

/**
 * Same plan as reconcileSlices(stateAfter, existing, options) when `existing` is what the
 * reconciler produced for the state before (every endpoint in exactly one slice per family,
 * all slices current) and `definition` did not change. Cost: the changed endpoints, the slices
 * that hold them, and one pass over the slice list (sizes) — never the service's other endpoints.
 *
 * "Current" means every stored endpoint equals its desired version, since slices no change
 * touches are not read. One state the full reconciler itself leaves behind breaks this: a
 * re-registration that only reorders an endpoint's addresses of one family is no write (identity
 * sorts addresses), so its slice keeps the old order; when that slice is next rewritten, the full
 * reconciler writes the new order and this planner the stored one.
 */
export const reconcileChanges = (
  definition: ServiceDefinition,
  changes: readonly EndpointChange[],
  existing: readonly EndpointSlice[],
  slicesOf: (id: string) => readonly string[],
  options: ReconcileOptions,
): SlicePlan => {
  const max = options.maxEndpointsPerSlice;
  checkMaxEndpointsPerSlice(max);

  const families = [...new Set(definition.addressTypes)];
  const context: GroupContext = { definition, labels: sliceLabels(definition), maxEndpointsPerSlice: max };
  const changed = new Set(changes.map((change) => change.id));
  const entering = desiredEndpointsOf(
    definition,
    changes.flatMap((change) => (change.endpoint === undefined ? [] : [change.endpoint])),
  );
  // One entry per (changed endpoint, slice holding its old version); the slices are found in one
  // pass, without a map of every slice of the service per command.
  const holding = changes.flatMap((change) => slicesOf(change.id).map((name) => ({ id: change.id, name })));
  const named = new Map<string, EndpointSlice | undefined>(holding.map(({ name }) => [name, undefined]));
  if (named.size > 0) for (const slice of existing) if (named.has(slice.name)) named.set(slice.name, slice);
  const leaving = holding.map(({ id, name }) => {
    const slice = named.get(name);
    if (slice === undefined) throw new Error(`slicesOf(${id}) names ${name}, which is not among the existing slices`);
    return slice;
  });

  const writes = families.map((addressType) =>
    reconcileFamily(
      familyFill(
        addressType,
        existing.filter((slice) => slice.addressType === addressType),
        entering.filter((group) => group.addressType === addressType),
        leaving.filter((slice) => slice.addressType === addressType),
        changed,
      ),
      context,
    ),
  );
  return finalizePlan(writes, families, existing, definition, options);
};

// In steady state every desired endpoint of a port set sits in exactly one slice of its bucket,
// so a group's size after the change is its bucket's size, minus the changed endpoints leaving,
// plus those entering; and a slice holding no changed endpoint is unchanged in phase 1, so only
// slices that held a changed endpoint are walked.
const familyFill = (
  addressType: AddressType,
  slices: readonly EndpointSlice[],
  entering: readonly DesiredGroup[],
  leaving: readonly EndpointSlice[],
  changed: ReadonlySet<string>,
): FamilyFill => {
  const buckets = bucketByPortSet(slices);
  // Sizes after the change only of the port sets the change touches; another port set keeps its
  // endpoints, so it is desired while one of its slices holds any (found at the first, mostly).
  const sizes = new Map<string, number>();
  const sizeOf = (key: string): number => {
    let size = sizes.get(key);
    if (size === undefined) {
      size = 0;
      for (const slice of buckets.get(key) ?? []) size += slice.endpoints.length;
    }
    return size;
  };
  const touched = new Set<EndpointSlice>();
  const touchedKeys = new Set<string>();
  for (const slice of leaving) {
    const key = portSetKey(slice.ports);
    touched.add(slice);
    touchedKeys.add(key);
    sizes.set(key, sizeOf(key) - 1);
  }
  const enteringByKey = new Map(entering.map((group) => [group.portKey, group] as const));
  for (const group of entering) {
    sizes.set(group.portKey, sizeOf(group.portKey) + group.endpoints.length);
  }
  const isDesired = (key: string): boolean =>
    sizes.has(key) ? (sizes.get(key) ?? 0) > 0 : (buckets.get(key) ?? []).some((slice) => slice.endpoints.length > 0);

  const active = [...new Set([...enteringByKey.keys(), ...touchedKeys])].filter(isDesired).sort(compareText);
  return {
    addressType,
    sliceCount: slices.length,
    buckets,
    groups: active.map((portKey) => {
      const bucket = buckets.get(portKey) ?? [];
      const group = enteringByKey.get(portKey);
      const pending = new Map((group?.endpoints ?? []).map((endpoint) => [endpoint.targetRef.name, endpoint] as const));
      // One walked slice (the common command) is found in order without a look at the others.
      const walk = touched.size === 1 ? [...touched].filter((slice) => portSetKey(slice.ports) === portKey) : bucket.filter((slice) => touched.has(slice));
      return {
        addressType,
        portKey,
        ports: group?.ports ?? bucket[0]?.ports ?? [],
        existing: bucket,
        pending,
        inSync: (slice: EndpointSlice) => !touched.has(slice),
        walk,
        changed,
      };
    }),
    isDesired,
  };
};

