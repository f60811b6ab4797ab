import { SERVICE_NAME_LABEL, type EndpointSlice, type SliceEndpoint, type SlicePort } from '@lib/domain';

/** Slices of shop/web (or another service) for the xDS specs. */
export const anEndpoint = (address: string, overrides: Partial<SliceEndpoint> = {}): SliceEndpoint => ({
  addresses: [address],
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Instance', namespace: 'shop', name: address },
  ...overrides,
});

export const aSlice = (
  name: string,
  endpoints: SliceEndpoint[],
  ports: SlicePort[],
  addressType: EndpointSlice['addressType'] = 'IPv4',
  service = { namespace: 'shop', name: 'web' },
): EndpointSlice =>
  Object.freeze({
    namespace: service.namespace,
    name,
    uid: name,
    labels: { [SERVICE_NAME_LABEL]: service.name },
    annotations: {},
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    addressType,
    endpoints,
    ports,
  });

export const tcp = (name: string, port: number): SlicePort => ({ name, protocol: 'TCP', port });
