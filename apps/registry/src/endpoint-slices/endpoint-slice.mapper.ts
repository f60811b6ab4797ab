import { toKubernetesObject } from '@lib/domain';
import type { StoredSlice } from '@lib/persistence';
import type { EndpointSlice } from './endpoint-slice.types';

/** Domain slice + resourceVersion -> the discovery.k8s.io/v1 object clients see (same JSON as the slice topic). */
export const toEndpointSliceObject = ({ slice, resourceVersion }: StoredSlice): EndpointSlice =>
  toKubernetesObject(slice, resourceVersion) as unknown as EndpointSlice;
