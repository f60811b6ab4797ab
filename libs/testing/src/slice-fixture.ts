import type { EndpointSlice } from '@lib/domain';

/** A slice of the `web` service in `default` with `endpoints` ready IPv4 entries (hostnames make each entry about 150 bytes). */
export const sliceFixture = (name: string, endpoints = 0): EndpointSlice => ({
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  labels: { 'kubernetes.io/service-name': 'web' },
  annotations: {},
  generation: 1,
  creationTimestamp: '2026-01-02T03:04:05.000Z',
  addressType: 'IPv4',
  endpoints: Array.from({ length: endpoints }, (_, i) => ({
    addresses: [`10.0.${i >> 8}.${i & 255}`],
    conditions: { ready: true, serving: true, terminating: false },
    hostname: `host-${i}-${'h'.repeat(40)}`,
    targetRef: { kind: 'Instance', namespace: 'default', name: `10.0.${i >> 8}.${i & 255}` },
  })),
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
});
