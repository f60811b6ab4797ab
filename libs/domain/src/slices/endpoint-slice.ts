import type { AddressType, Labels, Protocol } from '../registry/model';

/** discovery.k8s.io/v1 EndpointSlice, as this registry writes it. */
export interface EndpointSlice {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly generation: number;
  /** RFC 3339 time of the event that created the slice. */
  readonly creationTimestamp: string;
  readonly addressType: AddressType;
  readonly endpoints: readonly SliceEndpoint[];
  readonly ports: readonly SlicePort[];
}

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions: { readonly ready: boolean; readonly serving: boolean; readonly terminating: boolean };
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly hints?: SliceEndpointHints;
  readonly targetRef: { readonly kind: 'Instance'; readonly namespace: string; readonly name: string };
}

export interface SliceEndpointHints {
  readonly forZones?: readonly { readonly name: string }[];
  readonly forNodes?: readonly { readonly name: string }[];
}

export interface SlicePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly appProtocol?: string;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const MANAGED_BY = 'endpointslice-registry';
export const RESERVED_LABEL_KEYS: readonly string[] = [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL];
