import type { EndpointDefinition, ServiceDefinition } from './model';

/** The projected state of one service: what the reconciler turns into slices. */
export interface ServiceState {
  readonly definition: ServiceDefinition;
  /** Derived from the event that first registered the service; stable across re-registration. */
  readonly uid: string;
  readonly createdAt: string;
  readonly endpoints: Readonly<Record<string, EndpointDefinition>>;
}
