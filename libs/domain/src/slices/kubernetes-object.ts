import type { EndpointSlice } from './endpoint-slice';

/** The discovery.k8s.io/v1 JSON of a slice as written at `resourceVersion` (absent fields omitted, as the API server does). */
export interface KubernetesEndpointSlice {
  readonly apiVersion: 'discovery.k8s.io/v1';
  readonly kind: 'EndpointSlice';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly resourceVersion: string;
    readonly generation: number;
    readonly creationTimestamp: string;
  };
  readonly addressType: EndpointSlice['addressType'];
  readonly endpoints: EndpointSlice['endpoints'];
  readonly ports: EndpointSlice['ports'];
}

export const toKubernetesObject = (slice: EndpointSlice, resourceVersion: string): KubernetesEndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: slice.name,
    namespace: slice.namespace,
    uid: slice.uid,
    labels: slice.labels,
    annotations: slice.annotations,
    resourceVersion,
    generation: slice.generation,
    creationTimestamp: slice.creationTimestamp,
  },
  addressType: slice.addressType,
  endpoints: slice.endpoints,
  ports: slice.ports,
});
