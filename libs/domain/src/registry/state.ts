import type { EndpointConditions, EndpointDefinition, ServiceDefinition } from './model';

/**
 * One incarnation of an endpoint's lease, as the log defines it. Heartbeats are not events, so the
 * deadline itself lives in the operational leases table; the log knows only where a lease began
 * and whether it lapsed.
 */
export interface EndpointLease {
  /**
   * Id of the event that began this incarnation (a registration, or a renewal after a lapse).
   * Expiry and restore events name it: one that names an older incarnation is stale (fencing).
   */
  readonly leaseId: string;
  /** Event time the incarnation began: the first deadline counts from here. */
  readonly renewedAt: string;
  /** Present while the endpoint is not ready because this lease lapsed. */
  readonly lapsed?: {
    readonly leaseLapsedAt: string;
    /** What a renewal restores: the conditions before the lapse (or set explicitly since). */
    readonly conditions: EndpointConditions;
  };
}

/** The projected state of one service: what the reconciler turns into slices. */
export interface ServiceState {
  readonly definition: ServiceDefinition;
  /** Derived from the event that first registered the service; stable across re-registration. */
  readonly uid: string;
  readonly createdAt: string;
  readonly endpoints: Readonly<Record<string, EndpointDefinition>>;
  /** By endpoint id, for endpoints registered with ttlSeconds; absent in states from before leases. */
  readonly leases?: Readonly<Record<string, EndpointLease>>;
}
