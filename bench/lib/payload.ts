import { createHash } from 'node:crypto';

/**
 * A unique IPv4 address per (scenario, index): 10.<16*scenario + hi>.<mid>.<lo>, so the scenarios
 * of one run never register the same address twice (up to 1M endpoints per scenario).
 */
export const endpointAddress = (scenario: number, index: number): string =>
  `10.${scenario * 16 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;

export const serviceName = (index: number): string => `svc-${String(index).padStart(4, '0')}`;

/** The etcd baseline's value: about 207 bytes of endpoint JSON, as in performance.md §2. */
export const endpointValue = (namespace: string, service: string, index: number, generation: number): string =>
  JSON.stringify({
    ns: namespace,
    svc: service,
    id: `ep-${String(index).padStart(6, '0')}`,
    addr: endpointAddress(1, index),
    port: 8080,
    proto: 'TCP',
    ready: true,
    serving: true,
    terminating: false,
    zone: 'zone-a',
    node: `node-${String(index % 500).padStart(4, '0')}`,
    host: `host-${String(index).padStart(6, '0')}`,
    gen: generation,
  });

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname: string;
  nodeName: string;
  zone: string;
  targetRef: { kind: string; namespace: string; name: string };
}

export interface SliceObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
  };
  addressType: string;
  endpoints: SliceEndpoint[];
  ports: { name: string; protocol: string; port: number }[];
}

/** A Kubernetes-shaped EndpointSlice of `size` endpoints (about 20 KB of JSON for 100), for the raw Postgres baseline. */
export const sliceObject = (namespace: string, service: string, sliceIndex: number, size: number): SliceObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: `${service}-${String(sliceIndex).padStart(5, '0')}`,
    namespace,
    uid: `00000000-0000-4000-8000-${String(sliceIndex).padStart(12, '0')}`,
    labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-registry' },
    annotations: {},
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: '2025-01-01T00:00:00.000Z',
  },
  addressType: 'IPv4',
  endpoints: Array.from({ length: size }, (_, i) => {
    const index = sliceIndex * size + i;
    return {
      addresses: [endpointAddress(3, index)],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: `host-${String(index).padStart(6, '0')}`,
      nodeName: `node-${String(index % 500).padStart(4, '0')}`,
      zone: 'zone-a',
      targetRef: { kind: 'Instance', namespace, name: endpointAddress(3, index) },
    };
  }),
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
});

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
