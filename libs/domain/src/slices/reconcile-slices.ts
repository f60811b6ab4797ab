import type { ServiceState } from '../registry/state';
import { desiredEndpoints } from './desired-endpoints';
import type { EndpointSlice } from './endpoint-slice';
import type { GroupContext } from './fill-port-group';
import { checkMaxEndpointsPerSlice, finalizePlan } from './finalize-plan';
import { bucketByPortSet, reconcileFamily } from './reconcile-family';
import { sliceLabels } from './slice-labels';
import type { ReconcileOptions, SlicePlan } from './slice-plan';

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
  checkMaxEndpointsPerSlice(max);

  const { definition } = state;
  const families = [...new Set(definition.addressTypes)];
  const groups = desiredEndpoints(state);
  const context: GroupContext = { definition, labels: sliceLabels(definition), maxEndpointsPerSlice: max };
  const writes = families.map((addressType) => {
    const slices = existing.filter((slice) => slice.addressType === addressType);
    const buckets = bucketByPortSet(slices);
    const desired = groups.filter((group) => group.addressType === addressType);
    const desiredKeys = new Set(desired.map((group) => group.portKey));
    return reconcileFamily(
      {
        addressType,
        sliceCount: slices.length,
        buckets,
        groups: desired.map((group) => ({
          addressType,
          portKey: group.portKey,
          ports: group.ports,
          existing: buckets.get(group.portKey) ?? [],
          pending: new Map(group.endpoints.map((endpoint) => [endpoint.targetRef.name, endpoint] as const)),
        })),
        isDesired: (key) => desiredKeys.has(key),
      },
      context,
    );
  });
  return finalizePlan(writes, families, existing, definition, options);
};
