export * from './endpoint-slice';
export type { ReconcileOptions, SlicePlan } from './slice-plan';
export { desiredEndpoints, type DesiredGroup } from './desired-endpoints';
export { endpointIdentity, equalBeyondIdentity, equalHints } from './endpoint-identity';
export { portSetKey } from './port-set';
export { deterministicSliceIdentity, sliceNamePrefix, SUFFIX_ALPHABET, type SliceIdentity } from './slice-name';
export { reconcileSlices } from './reconcile-slices';
export { reconcileChanges, type EndpointChange } from './reconcile-changes';
export { toKubernetesObject, type KubernetesEndpointSlice } from './kubernetes-object';
