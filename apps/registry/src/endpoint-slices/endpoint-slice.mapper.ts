import type { StoredSlice } from '@lib/persistence';
import type { EndpointSlice } from './endpoint-slice.types';

/** Domain slice + resourceVersion -> the discovery.k8s.io/v1 object clients see. */
export const toEndpointSliceObject = ({ slice, resourceVersion }: StoredSlice): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: slice.name,
    namespace: slice.namespace,
    uid: slice.uid,
    labels: { ...slice.labels },
    annotations: { ...slice.annotations },
    resourceVersion,
    generation: slice.generation,
    creationTimestamp: slice.creationTimestamp,
  },
  addressType: slice.addressType,
  endpoints: slice.endpoints.map((e) => ({
    addresses: [...e.addresses],
    conditions: { ...e.conditions },
    hostname: e.hostname,
    nodeName: e.nodeName,
    zone: e.zone,
    hints: e.hints && {
      forZones: e.hints.forZones?.map((z) => ({ name: z.name })),
      forNodes: e.hints.forNodes?.map((n) => ({ name: n.name })),
    },
    targetRef: { ...e.targetRef },
  })),
  ports: slice.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, appProtocol: p.appProtocol })),
});
