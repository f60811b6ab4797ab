import type {
  AddressType,
  EndpointDefinition,
  InstancePort,
  ServiceDefinition,
  ServicePort,
  TrafficDistribution,
} from '../registry/model';
import type { ServiceState } from '../registry/state';
import { addressFamilyOf } from './address-family';
import { compareText } from './compare-text';
import type { SliceEndpoint, SliceEndpointHints, SlicePort } from './endpoint-slice';
import { portSetKey, sortPorts } from './port-set';

/** The endpoints of one address type that share one resolved port set (k8s §3.3). */
export interface DesiredGroup {
  readonly addressType: AddressType;
  /** Canonical, order-independent key of `ports`; equal to `portSetKey` of a matching slice. */
  readonly portKey: string;
  readonly ports: readonly SlicePort[];
  /** Ordered by endpoint id. */
  readonly endpoints: readonly SliceEndpoint[];
}

export const desiredEndpoints = (state: ServiceState): DesiredGroup[] =>
  groupsOf(state.definition, Object.values(state.endpoints));

// The incremental planner asks the same question for only the endpoints a command changed, so
// both planners place an endpoint by this one code path.
export const desiredEndpointsOf = (
  definition: ServiceDefinition,
  endpoints: readonly EndpointDefinition[],
): DesiredGroup[] => groupsOf(definition, [...endpoints]);

const groupsOf = (definition: ServiceDefinition, endpoints: EndpointDefinition[]): DesiredGroup[] => {
  endpoints.sort((a, b) => compareText(a.id, b.id));
  return [...new Set(definition.addressTypes)].flatMap((addressType) =>
    groupsOfFamily(definition, endpoints, addressType),
  );
};

const groupsOfFamily = (
  definition: ServiceDefinition,
  endpoints: readonly EndpointDefinition[],
  addressType: AddressType,
): DesiredGroup[] => {
  const groups = new Map<string, { ports: readonly SlicePort[]; endpoints: SliceEndpoint[] }>();
  // Most instances declare no ports of their own; resolve each distinct declaration once.
  const resolved = new Map<string, { ports: readonly SlicePort[]; portKey: string }>();
  for (const endpoint of endpoints) {
    // k8s §3.2: an instance without an address of this family is no endpoint of this family.
    const addresses = endpoint.addresses.filter((address) => addressFamilyOf(address) === addressType);
    if (addresses.length === 0) continue;
    const declared = JSON.stringify(endpoint.ports.map((p) => [p.name, p.protocol, p.port]));
    let resolution = resolved.get(declared);
    if (resolution === undefined) {
      const ports = resolvePorts(definition.ports, endpoint.ports);
      resolution = { ports, portKey: portSetKey(ports) };
      resolved.set(declared, resolution);
    }
    const { ports, portKey } = resolution;
    const group = groups.get(portKey) ?? { ports, endpoints: [] };
    group.endpoints.push(toSliceEndpoint(definition, endpoint, addresses));
    groups.set(portKey, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([portKey, group]) => ({ addressType, portKey, ports: group.ports, endpoints: group.endpoints }));
};

// k8s §3.3 step 1: a named port resolves per pod (containerPort with the same name AND protocol);
// here the instance's own port plays the containerPort, else the service's targetPort applies.
const resolvePorts = (servicePorts: readonly ServicePort[], instancePorts: readonly InstancePort[]): SlicePort[] =>
  sortPorts(
    servicePorts.map((servicePort) => {
      const own = instancePorts.find((p) => p.name === servicePort.name && p.protocol === servicePort.protocol);
      const port = own?.port ?? servicePort.targetPort;
      return servicePort.appProtocol === undefined
        ? { name: servicePort.name, protocol: servicePort.protocol, port }
        : { name: servicePort.name, protocol: servicePort.protocol, port, appProtocol: servicePort.appProtocol };
    }),
  );

const toSliceEndpoint = (
  definition: ServiceDefinition,
  endpoint: EndpointDefinition,
  addresses: readonly string[],
): SliceEndpoint => {
  const { ready, serving, terminating } = endpoint.conditions;
  const hints = hintsFor(definition.trafficDistribution, endpoint);
  return {
    addresses: [...addresses],
    conditions: { ready, serving, terminating },
    ...(endpoint.hostname !== undefined && { hostname: endpoint.hostname }),
    ...(endpoint.nodeName !== undefined && { nodeName: endpoint.nodeName }),
    ...(endpoint.zone !== undefined && { zone: endpoint.zone }),
    ...(hints !== undefined && { hints }),
    targetRef: { kind: 'Instance', namespace: definition.namespace, name: endpoint.id },
  };
};

// k8s §3.11 (trafficdist): only ready endpoints carry hints, one zone (and for PreferSameNode
// one node) each — their own; without a traffic distribution all hints are removed.
const hintsFor = (
  trafficDistribution: TrafficDistribution | undefined,
  endpoint: EndpointDefinition,
): SliceEndpointHints | undefined => {
  if (trafficDistribution === undefined || !endpoint.conditions.ready) return undefined;
  const forZones = endpoint.zone ? [{ name: endpoint.zone }] : undefined;
  const forNodes =
    trafficDistribution === 'PreferSameNode' && endpoint.nodeName ? [{ name: endpoint.nodeName }] : undefined;
  if (forZones === undefined && forNodes === undefined) return undefined;
  return { ...(forZones !== undefined && { forZones }), ...(forNodes !== undefined && { forNodes }) };
};
