import type { EndpointSlice, SliceEndpoint, SlicePort } from '@lib/domain';
import { clusterName } from './resource-names';
import { TYPE_URLS, type XdsResource } from './resource-types';

export type HealthStatus = 'HEALTHY' | 'DRAINING' | 'UNHEALTHY';

/** PRODUCT.md: HEALTHY when ready, DRAINING while serving and terminating, else UNHEALTHY. */
export const healthStatus = (conditions: SliceEndpoint['conditions']): HealthStatus =>
  conditions.ready ? 'HEALTHY' : conditions.serving && conditions.terminating ? 'DRAINING' : 'UNHEALTHY';

/** One port of a service, as its slices carry it: a cluster and its load assignment. */
export interface PortResources {
  readonly name: string;
  readonly port: SlicePort;
  readonly cluster: XdsResource;
  readonly loadAssignment: XdsResource;
}

/** A slice port's key in cluster names: its name, or its number when it has none (a lone unnamed port). */
const portKey = (port: SlicePort): string => (port.name !== '' ? port.name : String(port.port));

/** Envoy's SocketAddress knows TCP and UDP; an SCTP port has no cluster. */
const socketProtocol = (protocol: SlicePort['protocol']): 'TCP' | 'UDP' | undefined =>
  protocol === 'TCP' ? 'TCP' : protocol === 'UDP' ? 'UDP' : undefined;

interface LbEndpoint {
  readonly address: string;
  readonly port: number;
  readonly zone?: string;
  readonly health: HealthStatus;
}

const HEALTH_RANK: Readonly<Record<HealthStatus, number>> = { HEALTHY: 0, DRAINING: 1, UNHEALTHY: 2 };
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const cluster = (name: string): XdsResource => ({
  '@type': TYPE_URLS.CDS,
  name,
  type: 'EDS',
  // The load assignment has the cluster's name and comes over the same ADS stream.
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  lb_policy: 'ROUND_ROBIN',
});

/**
 * Localities by zone (a missing zone is the empty locality), each weighted by its healthy
 * endpoints so that a client spreads calls evenly over endpoints rather than over zones; at least
 * 1, since Envoy refuses 0 and gRPC skips a locality without a weight.
 */
const loadAssignment = (name: string, endpoints: readonly LbEndpoint[], protocol: 'TCP' | 'UDP'): XdsResource => {
  const zones = new Map<string, LbEndpoint[]>();
  for (const endpoint of endpoints) {
    const zone = endpoint.zone ?? '';
    zones.set(zone, [...(zones.get(zone) ?? []), endpoint]);
  }
  return {
    '@type': TYPE_URLS.EDS,
    cluster_name: name,
    endpoints: [...zones.entries()]
      .sort(([a], [b]) => byText(a, b))
      .map(([zone, members]) => ({
        locality: zone === '' ? {} : { zone },
        priority: 0,
        load_balancing_weight: { value: Math.max(1, members.filter((m) => m.health === 'HEALTHY').length) },
        lb_endpoints: members
          .sort((a, b) => byText(a.address, b.address) || a.port - b.port)
          .map((m) => ({
            health_status: m.health,
            endpoint: { address: { socket_address: { protocol, address: m.address, port_value: m.port } } },
          })),
      })),
  };
};

/**
 * Per service port, an EDS cluster and its ClusterLoadAssignment, from the service's slices. Each
 * endpoint contributes its first address (Kubernetes consumers use only that one) with the slice's
 * port; a dual-stack endpoint contributes one address from each family's slice. FQDN slices are
 * left out: EDS carries IP addresses only. An address listed twice (two endpoints sharing it) is
 * kept once, at its best health: clients refuse a load assignment with duplicate addresses.
 * Ports come in the order the slices list them, the first slice (by name) that has them first.
 */
export const portResources = (namespace: string, service: string, slices: readonly EndpointSlice[]): PortResources[] => {
  const ports = new Map<string, { port: SlicePort; protocol: 'TCP' | 'UDP'; endpoints: Map<string, LbEndpoint> }>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    for (const port of slice.ports) {
      const protocol = socketProtocol(port.protocol);
      if (protocol === undefined) continue;
      const key = portKey(port);
      const entry = ports.get(key) ?? { port, protocol, endpoints: new Map<string, LbEndpoint>() };
      ports.set(key, entry);
      for (const endpoint of slice.endpoints) {
        const address = endpoint.addresses[0];
        if (address === undefined) continue;
        const candidate: LbEndpoint = { address, port: port.port, zone: endpoint.zone, health: healthStatus(endpoint.conditions) };
        const id = `${address} ${port.port}`;
        const known = entry.endpoints.get(id);
        if (!known || HEALTH_RANK[candidate.health] < HEALTH_RANK[known.health]) entry.endpoints.set(id, candidate);
      }
    }
  }
  return [...ports.entries()].map(([key, { port, protocol, endpoints }]) => {
    const name = clusterName(namespace, service, key);
    return { name, port, cluster: cluster(name), loadAssignment: loadAssignment(name, [...endpoints.values()], protocol) };
  });
};
