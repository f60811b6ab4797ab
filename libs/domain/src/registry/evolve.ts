import { assertNever } from '../errors';
import type { EndpointDefinition } from './model';
import type { RecordedEvent } from './events';
import type { ServiceState } from './state';

/**
 * Total: any prefix of the log folds without throwing. Events that no longer apply
 * (an endpoint of a deleted service, a change for a removed endpoint) leave the state as it is,
 * because the API decided them against a projection that may have lagged.
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
      return state && withEndpoint(state, event.data.endpoint);
    case 'EndpointConditionsChanged': {
      const endpoint = state?.endpoints[event.data.id];
      return endpoint ? withEndpoint(state, { ...endpoint, conditions: event.data.conditions }) : state;
    }
    case 'EndpointDeregistered':
      return state && withoutEndpoint(state, event.data.id);
    case 'EndpointExpired': {
      const endpoint = state?.endpoints[event.data.id];
      if (!endpoint) return state;
      return event.data.phase === 'Removed'
        ? withoutEndpoint(state, event.data.id)
        : withEndpoint(state, { ...endpoint, conditions: { ready: false, serving: false, terminating: false } });
    }
    default:
      return assertNever(event);
  }
};

const withEndpoint = (state: ServiceState, endpoint: EndpointDefinition): ServiceState => ({
  ...state,
  endpoints: { ...state.endpoints, [endpoint.id]: endpoint },
});

const withoutEndpoint = (state: ServiceState, id: string): ServiceState => {
  if (!(id in state.endpoints)) return state;
  const { [id]: _removed, ...endpoints } = state.endpoints;
  return { ...state, endpoints };
};
