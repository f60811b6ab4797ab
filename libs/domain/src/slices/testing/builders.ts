import type { EndpointDefinition, ServiceDefinition } from '../../registry/model';
import type { ServiceState } from '../../registry/state';
import { compareText } from '../compare-text';
import type { EndpointSlice, SliceEndpoint } from '../endpoint-slice';
import { MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../endpoint-slice';
import { reconcileSlices } from '../reconcile-slices';
import { deterministicSliceIdentity } from '../slice-name';
import type { ReconcileOptions, SlicePlan } from '../slice-plan';

export const NAMESPACE = 'default';
export const SERVICE = 'web';
export const NOW = '2026-01-02T03:04:05.000Z';

/** Freezes a value and everything reachable from it, so any mutation by the code under test throws. */
import { deepFreeze } from '../../testing/deep-freeze';

export { deepFreeze };

export type ServiceOverrides = Partial<ServiceDefinition> & {
  readonly endpoints?: readonly EndpointDefinition[];
};

export const aService = (overrides: ServiceOverrides = {}): ServiceState => {
  const { endpoints = [], ...definition } = overrides;
  return deepFreeze({
    definition: {
      namespace: NAMESPACE,
      name: SERVICE,
      labels: {},
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      addressTypes: ['IPv4'],
      ...definition,
    },
    uid: 'service-uid',
    createdAt: NOW,
    endpoints: Object.fromEntries(endpoints.map((endpoint) => [endpoint.id, endpoint])),
  });
};

export const anEndpoint = (overrides: Partial<EndpointDefinition> = {}): EndpointDefinition => {
  const addresses = overrides.addresses ?? ['10.0.0.1'];
  return deepFreeze({
    id: addresses[0] ?? 'endpoint',
    addresses,
    conditions: { ready: true, serving: true, terminating: false },
    ports: [],
    ...overrides,
  });
};

/** `count` ready IPv4 endpoints 10.<n>.<n>.<n> with ids that sort like their numbers. */
export const endpointRange = (count: number, from = 0, overrides: Partial<EndpointDefinition> = {}): EndpointDefinition[] =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    return anEndpoint({ id: `ep-${String(n).padStart(6, '0')}`, addresses: [address], ...overrides });
  });

export const aSliceEndpoint = (id: string, address: string, overrides: Partial<SliceEndpoint> = {}): SliceEndpoint =>
  deepFreeze({
    addresses: [address],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Instance', namespace: NAMESPACE, name: id },
    ...overrides,
  });

/** A slice in sync with `endpoints` as `aService()` would slice them (default ports and labels). */
export const sliceWith = (
  name: string,
  endpoints: readonly EndpointDefinition[],
  overrides: Partial<EndpointSlice> = {},
): EndpointSlice =>
  aSlice({
    name,
    uid: `uid-${name}`,
    endpoints: endpoints.map((endpoint) => aSliceEndpoint(endpoint.id, endpoint.addresses[0] ?? '')),
    ...overrides,
  });

export const aSlice = (overrides: Partial<EndpointSlice> = {}): EndpointSlice =>
  deepFreeze({
    namespace: NAMESPACE,
    name: `${SERVICE}-xxxxx`,
    uid: 'slice-uid',
    labels: { [SERVICE_NAME_LABEL]: SERVICE, [MANAGED_BY_LABEL]: MANAGED_BY },
    annotations: {},
    generation: 1,
    creationTimestamp: NOW,
    addressType: 'IPv4',
    endpoints: [],
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    ...overrides,
  });

export const options = (overrides: Partial<ReconcileOptions> = {}, seed = 'seed'): ReconcileOptions => {
  const identity = deterministicSliceIdentity(seed);
  return { maxEndpointsPerSlice: 100, nameSuffix: identity.nameSuffix, uidFor: identity.uidFor, now: NOW, ...overrides };
};

/** What the store holds after applying `plan` to `existing` (creates, then updates, then deletes). */
export const applyPlan = (existing: readonly EndpointSlice[], plan: SlicePlan): EndpointSlice[] => {
  const updated = new Map(plan.update.map((slice) => [slice.name, slice]));
  const deleted = new Set(plan.delete.map((slice) => slice.name));
  return deepFreeze([
    ...existing.filter((slice) => !deleted.has(slice.name)).map((slice) => updated.get(slice.name) ?? slice),
    ...plan.create,
  ]);
};

/** Reconciles from nothing and applies the result: the slices a service would have after one sync. */
export const sliced = (state: ServiceState, opts: Partial<ReconcileOptions> = {}, seed = 'seed'): EndpointSlice[] =>
  applyPlan([], reconcileSlices(state, [], options(opts, seed)));

export const writeCounts = (plan: SlicePlan): { create: number; update: number; delete: number } => ({
  create: plan.create.length,
  update: plan.update.length,
  delete: plan.delete.length,
});

export const sizes = (slices: readonly EndpointSlice[]): number[] =>
  slices.map((slice) => slice.endpoints.length).sort((a, b) => b - a);

/** `slices` in name order, as the projector lists a service's slices. */
export const byName = (slices: readonly EndpointSlice[]): EndpointSlice[] =>
  [...slices].sort((a, b) => compareText(a.name, b.name));

/** The projector's endpoint index: names of the slices holding each endpoint id. */
export const slicesHolding = (slices: readonly EndpointSlice[]): ((id: string) => readonly string[]) => {
  const index = new Map<string, string[]>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      const names = index.get(endpoint.targetRef.name);
      if (names === undefined) index.set(endpoint.targetRef.name, [slice.name]);
      else names.push(slice.name);
    }
  }
  return (id) => index.get(id) ?? [];
};
