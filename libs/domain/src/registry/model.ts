export const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const TRAFFIC_DISTRIBUTIONS = ['PreferClose', 'PreferSameZone', 'PreferSameNode'] as const;
export type TrafficDistribution = (typeof TRAFFIC_DISTRIBUTIONS)[number];

export type Labels = Readonly<Record<string, string>>;

export interface ServicePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number;
  readonly appProtocol?: string;
}

/** A service definition as registered: names validated, defaults applied. */
export interface ServiceDefinition {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ports: readonly ServicePort[];
  readonly addressTypes: readonly AddressType[];
  readonly trafficDistribution?: TrafficDistribution;
}

export interface EndpointConditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** This instance's own number for a named service port (a Pod's named containerPort). */
export interface InstancePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface EndpointDefinition {
  readonly id: string;
  /** Canonical form: IPv6 per RFC 5952, FQDN lower case without trailing dot. */
  readonly addresses: readonly string[];
  readonly conditions: EndpointConditions;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly ports: readonly InstancePort[];
  readonly ttlSeconds?: number;
  readonly deregisterAfterSeconds?: number;
}

export const serviceKey = (namespace: string, name: string): string => `${namespace}/${name}`;
