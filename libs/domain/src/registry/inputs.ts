/**
 * Raw inputs as clients send them (GraphQL inputs mapped 1:1, optional fields may be null).
 * Validation turns them into definitions or throws a DomainError naming the field and rule.
 */
export interface ServicePortInput {
  readonly name?: string | null;
  readonly protocol?: string | null;
  readonly port: number;
  readonly targetPort?: number | null;
  readonly appProtocol?: string | null;
}

export interface RegisterServiceInput {
  readonly namespace?: string | null;
  readonly name: string;
  readonly labels?: Readonly<Record<string, unknown>> | null;
  readonly ports: readonly ServicePortInput[];
  readonly addressTypes?: readonly string[] | null;
  readonly trafficDistribution?: string | null;
}

export interface EndpointPortInput {
  readonly name?: string | null;
  readonly protocol?: string | null;
  readonly port: number;
}

export interface EndpointConditionsInput {
  readonly ready?: boolean | null;
  readonly serving?: boolean | null;
  readonly terminating?: boolean | null;
}

export interface RegisterEndpointInput {
  readonly namespace?: string | null;
  readonly serviceName: string;
  readonly id?: string | null;
  readonly addresses: readonly string[];
  readonly conditions?: EndpointConditionsInput | null;
  readonly hostname?: string | null;
  readonly nodeName?: string | null;
  readonly zone?: string | null;
  readonly ports?: readonly EndpointPortInput[] | null;
  readonly ttlSeconds?: number | null;
  readonly deregisterAfterSeconds?: number | null;
}
