import { SERVICE_NAME_LABEL, type EndpointSlice, type SliceEndpoint, type SlicePort } from '@lib/domain';
import type { SliceSource } from '../xds-catalog';

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

/** One slice of a service with one endpoint and a `grpc` port. */
export const grpcService = (namespace: string, name: string, address: string): EndpointSlice[] => [
  aSlice(`${name}-1`, [anEndpoint(address)], [tcp('grpc', 9090)], 'IPv4', { namespace, name }),
];

/** A slice view in a map: set() replaces a service's slices and tells the listeners, as the real one does. */
export class FakeSlices implements SliceSource {
  resourceVersion = 0n;
  private readonly byService = new Map<string, readonly EndpointSlice[]>();
  private readonly listeners = new Set<(key: string, rv: bigint) => void>();

  set(namespace: string, service: string, slices: readonly EndpointSlice[]): void {
    this.resourceVersion += 1n;
    this.byService.set(`${namespace}/${service}`, slices);
    for (const listener of this.listeners) listener(`${namespace}/${service}`, this.resourceVersion);
  }

  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    return this.byService.get(`${namespace}/${service}`) ?? [];
  }

  serviceKeys(): IterableIterator<string> {
    return this.byService.keys();
  }

  onChange(listener: (key: string, rv: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

