import { SERVICE_NAME_LABEL, type EndpointSlice, type SliceEndpoint } from '@lib/domain';

/** A ready endpoint of namespace `shop`, named after its first address. */
export const aReadyEndpoint = (addresses: string[], overrides: Partial<SliceEndpoint> = {}): SliceEndpoint => ({
  addresses,
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Instance', namespace: 'shop', name: addresses[0] },
  ...overrides,
});

/** A slice of `service` in namespace `shop` (unless overridden); a slice without endpoints has no ports, like a placeholder. */
export const aServiceSlice = (service: string, name: string, endpoints: SliceEndpoint[], overrides: Partial<EndpointSlice> = {}): EndpointSlice => ({
  namespace: 'shop',
  name,
  uid: name,
  labels: { [SERVICE_NAME_LABEL]: service },
  annotations: {},
  generation: 1,
  creationTimestamp: '2026-01-01T00:00:00Z',
  addressType: 'IPv4',
  endpoints,
  ports: endpoints.length === 0 ? [] : [{ name: 'http', protocol: 'TCP', port: 80 }],
  ...overrides,
});
