import type { EndpointSlice } from '@lib/domain';
import { portResources, type PortResources } from './endpoint-resources';
import { apiListener, routeEverythingTo } from './listener-resources';
import { listenerName } from './resource-names';
import type { XdsResource, XdsType } from './resource-types';

/** Everything one service contributes, by type and resource name. */
export type ServiceResources = Readonly<Record<XdsType, ReadonlyMap<string, XdsResource>>>;

export const NO_RESOURCES: ServiceResources = Object.freeze({ LDS: new Map(), RDS: new Map(), CDS: new Map(), EDS: new Map() });

/**
 * The port a listener routes to: the one named `grpc`, else the first. gRPC speaks TCP, so only
 * TCP ports qualify.
 */
export const routedPort = (ports: readonly PortResources[]): PortResources | undefined => {
  const tcp = ports.filter((p) => p.port.protocol === 'TCP');
  return tcp.find((p) => p.port.name === 'grpc') ?? tcp[0];
};

/**
 * A service's xDS resources from its current slices: a cluster and load assignment per port,
 * and a listener with its route configuration when it has a port to route to. A service whose
 * slices carry no port (no endpoints yet: only the empty placeholder) has none, so a client sees
 * its listener as absent until the first endpoint arrives.
 */
export const serviceResources = (namespace: string, service: string, slices: readonly EndpointSlice[]): ServiceResources => {
  const ports = portResources(namespace, service, slices);
  const routed = routedPort(ports);
  if (ports.length === 0) return NO_RESOURCES;
  const name = listenerName(namespace, service);
  return {
    LDS: new Map(routed ? [[name, apiListener(name)]] : []),
    RDS: new Map(routed ? [[name, routeEverythingTo(name, routed.name)]] : []),
    CDS: new Map(ports.map((p) => [p.name, p.cluster])),
    EDS: new Map(ports.map((p) => [p.name, p.loadAssignment])),
  };
};
