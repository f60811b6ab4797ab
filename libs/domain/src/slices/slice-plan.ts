import type { EndpointSlice } from './endpoint-slice';

/** Writes to apply, in Kubernetes order: creates, then updates, then deletes. */
export interface SlicePlan {
  readonly create: readonly EndpointSlice[];
  readonly update: readonly EndpointSlice[];
  readonly delete: readonly EndpointSlice[];
}

export interface ReconcileOptions {
  /** 1..1000, default 100 (kube-controller-manager --max-endpoints-per-slice). */
  readonly maxEndpointsPerSlice: number;
  /** Next 5-character suffix from `bcdfghjklmnpqrstvwxz2456789`; deterministic in the caller. */
  readonly nameSuffix: () => string;
  /** uid for a slice created under this name; deterministic in the caller. */
  readonly uidFor: (sliceName: string) => string;
  /** creationTimestamp for created slices: the time of the event that caused the write. */
  readonly now: string;
}
