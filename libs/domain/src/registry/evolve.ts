import { assertNever } from '../errors';
import type { EndpointConditions, EndpointDefinition } from './model';
import type {
  EndpointConditionsChanged,
  EndpointDeregistered,
  EndpointExpired,
  EndpointRegistered,
  RecordedEvent,
} from './events';
import type { EndpointLease, ServiceState } from './state';

/** The conditions a lapsed lease leaves an endpoint with. */
export const LEASE_LAPSED_CONDITIONS: EndpointConditions = Object.freeze({ ready: false, serving: false, terminating: false });

/**
 * Total: any prefix of the log folds without throwing. Events that no longer apply
 * (an endpoint of a deleted service, a change for a removed endpoint, an expiry or renewal of a
 * lease incarnation that has since been replaced) leave the state as it is, because the API and
 * the lease sweeper decided them against a projection that may have lagged.
 */
export const evolve = (state: ServiceState | undefined, recorded: RecordedEvent): ServiceState | undefined => {
  const { event, metadata } = recorded;
  switch (event.type) {
    case 'ServiceRegistered':
      return state
        ? { ...state, definition: event.data.service }
        : { definition: event.data.service, uid: metadata.id, createdAt: metadata.time, endpoints: {} };
    case 'ServiceDeleted':
      return undefined;
    case 'EndpointRegistered':
    case 'EndpointConditionsChanged':
    case 'EndpointDeregistered':
    case 'EndpointExpired': {
      if (!state) return state;
      const id = endpointIdOf(event);
      const current = recordOf(state, id);
      const next = evolveEndpoint(current, { event, metadata });
      return next === current ? state : withRecord(state, id, next);
    }
    default:
      return assertNever(event);
  }
};

export type EndpointEvent = EndpointRegistered | EndpointConditionsChanged | EndpointDeregistered | EndpointExpired;

/** An endpoint as the log defines it: its registration and its current lease incarnation. */
export interface EndpointRecord {
  readonly definition: EndpointDefinition;
  readonly lease?: EndpointLease;
}

/** A service's state from its identity and endpoint records (a projector model, or the rows a command names). */
export const serviceStateOf = (
  service: Pick<ServiceState, 'definition' | 'uid' | 'createdAt'>,
  records: Iterable<readonly [string, EndpointRecord]>,
): ServiceState => {
  const endpoints: Record<string, EndpointDefinition> = {};
  const leases: Record<string, EndpointLease> = {};
  for (const [id, record] of records) {
    endpoints[id] = record.definition;
    if (record.lease) leases[id] = record.lease;
  }
  return { definition: service.definition, uid: service.uid, createdAt: service.createdAt, endpoints, leases };
};

export const endpointIdOf = (event: EndpointEvent): string =>
  event.type === 'EndpointRegistered' ? event.data.endpoint.id : event.data.id;

/**
 * evolve for one endpoint of a service that exists: the projector folds a command into the
 * endpoints it names with this, never touching the service's other endpoints. Returns `current`
 * itself when the event changes nothing (a stale expiry or renewal, a change of a removed endpoint).
 */
export const evolveEndpoint = (current: EndpointRecord | undefined, recorded: RecordedEvent<EndpointEvent>): EndpointRecord | undefined => {
  const { event, metadata } = recorded;
  switch (event.type) {
    case 'EndpointRegistered': {
      const { endpoint } = event.data;
      // Registering again renews the lease: a new incarnation, whatever lapsed before.
      return endpoint.ttlSeconds === undefined
        ? { definition: endpoint }
        : { definition: endpoint, lease: { leaseId: metadata.id, renewedAt: metadata.time } };
    }
    case 'EndpointConditionsChanged': {
      if (!current) return current;
      const { definition, lease } = current;
      const { conditions, leaseId } = event.data;
      if (leaseId !== undefined) {
        // A heartbeat after a lapse. It may reach the log before or after the expiry it answers
        // (two writers); naming the incarnation makes both orders end ready, and a repeat a no-op.
        if (lease?.leaseId !== leaseId) return current;
        return { definition: { ...definition, conditions }, lease: { leaseId: metadata.id, renewedAt: metadata.time } };
      }
      // While the lease is lapsed the endpoint stays not ready; an explicit change is what the
      // renewal will restore.
      if (lease?.lapsed) return { definition, lease: { ...lease, lapsed: { ...lease.lapsed, conditions } } };
      return lease ? { definition: { ...definition, conditions }, lease } : { definition: { ...definition, conditions } };
    }
    case 'EndpointDeregistered':
      return undefined;
    case 'EndpointExpired': {
      if (!current) return current;
      const { definition, lease } = current;
      // Fenced by incarnation; expiries written before leases were tracked carry no leaseId.
      if (event.data.leaseId !== undefined && lease?.leaseId !== event.data.leaseId) return current;
      if (event.data.phase === 'Removed') return undefined;
      if (lease?.lapsed) return current;
      const notReady = { ...definition, conditions: LEASE_LAPSED_CONDITIONS };
      return lease
        ? { definition: notReady, lease: { ...lease, lapsed: { leaseLapsedAt: event.data.leaseLapsedAt, conditions: definition.conditions } } }
        : { definition: notReady };
    }
    default:
      return assertNever(event);
  }
};

const recordOf = (state: ServiceState, id: string): EndpointRecord | undefined => {
  const definition = state.endpoints[id];
  if (!definition) return undefined;
  const lease = state.leases?.[id];
  return lease ? { definition, lease } : { definition };
};

const withRecord = (state: ServiceState, id: string, record: EndpointRecord | undefined): ServiceState => {
  if (!record) return withoutEndpoint(state, id);
  const registered = withEndpoint(state, record.definition);
  return record.lease ? withLease(registered, id, record.lease) : withoutLease(registered, id);
};

/**
 * Folds one command's events: the same result as `events.reduce(evolve, state)`, but a run of
 * registrations (a bulk command) copies the endpoint and lease maps once instead of once per
 * event, which made a bulk of n endpoints cost O(n²).
 */
export const evolveCommand = (state: ServiceState | undefined, events: readonly RecordedEvent[]): ServiceState | undefined => {
  let current = state;
  for (let i = 0; i < events.length; ) {
    let end = i;
    while (end < events.length && events[end].event.type === 'EndpointRegistered') end++;
    if (current && end - i > 1) {
      current = registerAll(current, events.slice(i, end));
      i = end;
    } else {
      current = evolve(current, events[i]);
      i++;
    }
  }
  return current;
};

/** EndpointRegistered of evolve, for a run of them at once. */
const registerAll = (state: ServiceState, run: readonly RecordedEvent[]): ServiceState => {
  const endpoints = { ...state.endpoints };
  const leases: Record<string, EndpointLease> | undefined = state.leases && { ...state.leases };
  let addedLeases: Record<string, EndpointLease> | undefined;
  for (const { event, metadata } of run) {
    if (event.type !== 'EndpointRegistered') continue;
    const { endpoint } = event.data;
    endpoints[endpoint.id] = endpoint;
    if (endpoint.ttlSeconds === undefined) {
      if (leases) delete leases[endpoint.id];
      if (addedLeases) delete addedLeases[endpoint.id];
    } else {
      (leases ?? (addedLeases ??= {}))[endpoint.id] = { leaseId: metadata.id, renewedAt: metadata.time };
    }
  }
  const finalLeases = leases ?? addedLeases;
  return finalLeases ? { ...state, endpoints, leases: finalLeases } : { ...state, endpoints };
};

const withEndpoint = (state: ServiceState, endpoint: EndpointDefinition): ServiceState => ({
  ...state,
  endpoints: { ...state.endpoints, [endpoint.id]: endpoint },
});

const withoutEndpoint = (state: ServiceState, id: string): ServiceState => {
  if (!(id in state.endpoints)) return state;
  const { [id]: _removed, ...endpoints } = state.endpoints;
  return withoutLease({ ...state, endpoints }, id);
};

const withLease = (state: ServiceState, id: string, lease: EndpointLease): ServiceState => ({
  ...state,
  leases: { ...state.leases, [id]: lease },
});

const withoutLease = (state: ServiceState, id: string): ServiceState => {
  if (!state.leases || !(id in state.leases)) return state;
  const { [id]: _removed, ...leases } = state.leases;
  return { ...state, leases };
};
