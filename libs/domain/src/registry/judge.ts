import { assertNever } from '../errors';
import { endpointMisfit } from '../validation';
import { eventServiceKey, type RecordedEvent } from './events';
import { endpointIdOf, type EndpointEvent } from './evolve';
import { serviceKey, type ServiceDefinition } from './model';

/** What the judge needs of the state a command lands on: the service and the endpoints the command names. */
export interface JudgedState {
  readonly definition: ServiceDefinition | undefined;
  /** The command that changed the service last (log-derived). */
  readonly lastCommandId: string | undefined;
  endpoint(id: string): { readonly lastCommandId: string } | undefined;
}

export type Verdict =
  | { readonly status: 'APPLIED' }
  | { readonly status: 'REJECTED'; readonly code: 'CONFLICT' | 'NOT_FOUND'; readonly field: string; readonly message: string };

const APPLIED: Verdict = Object.freeze({ status: 'APPLIED' });

/**
 * The verdict on one command where the log placed it, exactly as `decide` would judge it on that
 * state: the API decided against a projection that may have lagged. Pure and reading only the log's
 * facts, so a replay reaches the same verdicts. Lease expiries and renewals are never rejected:
 * one that met a newer incarnation is a no-op for `evolve`, as the sweeper expects.
 */
export const judge = (events: readonly RecordedEvent[], state: JudgedState): Verdict => {
  const [first] = events;
  if (!first) return APPLIED;
  const preconditionFailure = judgePreconditions(events, state);
  if (preconditionFailure) return preconditionFailure;
  for (const { event } of events) {
    const verdict = judgeEvent(event, state);
    if (verdict.status === 'REJECTED') return verdict;
  }
  return APPLIED;
};

const judgePreconditions = (events: readonly RecordedEvent[], state: JudgedState): Verdict | undefined => {
  const { preconditions } = events[0].metadata;
  const service = serviceName(events[0].event);
  if (preconditions?.service) {
    const { version, lastCommandId } = preconditions.service;
    if (lastCommandId === null && state.definition) {
      return conflict('ifServiceVersion', `service ${service} exists; ifServiceVersion "0" requires that it does not`);
    }
    if (lastCommandId !== null && (!state.definition || state.lastCommandId !== lastCommandId)) {
      const what = state.definition ? 'changed' : 'was deleted';
      return conflict('ifServiceVersion', `service ${service} ${what} after resourceVersion ${version}`);
    }
  }
  if (preconditions?.endpoint) {
    const named = events.map((e) => e.event).find(isEndpointEvent);
    const id = named && endpointIdOf(named);
    const endpoint = id === undefined ? undefined : state.endpoint(id);
    if (id === undefined || !endpoint || endpoint.lastCommandId !== preconditions.endpoint.lastCommandId) {
      const what = endpoint ? 'changed' : 'was removed';
      return conflict('ifEndpointVersion', `endpoint ${id ?? ''} of service ${service} ${what} after resourceVersion ${preconditions.endpoint.version}`);
    }
  }
  return undefined;
};

const judgeEvent = (event: RecordedEvent['event'], state: JudgedState): Verdict => {
  switch (event.type) {
    case 'ServiceRegistered':
      return APPLIED;
    case 'ServiceDeleted':
      return state.definition ? APPLIED : notFound('name', `service ${serviceName(event)} is not registered`);
    case 'EndpointRegistered': {
      const { definition } = state;
      if (!definition) return notFound('serviceName', `service ${serviceName(event)} is not registered`);
      const misfit = endpointMisfit(event.data.endpoint, definition, 'endpoint');
      return misfit ? conflict(misfit.field, `endpoint ${event.data.endpoint.id}: ${misfit.rule}`) : APPLIED;
    }
    case 'EndpointConditionsChanged':
      // A renewal names its lease incarnation: it is fenced by evolve, never refused.
      return event.data.leaseId === undefined ? requireEndpoint(event, state) : APPLIED;
    case 'EndpointDeregistered':
      return requireEndpoint(event, state);
    case 'EndpointExpired':
      return APPLIED;
    default:
      return assertNever(event);
  }
};

const requireEndpoint = (event: EndpointEvent, state: JudgedState): Verdict => {
  if (!state.definition) return notFound('serviceName', `service ${serviceName(event)} is not registered`);
  const id = endpointIdOf(event);
  return state.endpoint(id) ? APPLIED : notFound('id', `endpoint ${id} is not registered in service ${serviceName(event)}`);
};

const isEndpointEvent = (event: RecordedEvent['event']): event is EndpointEvent =>
  event.type !== 'ServiceRegistered' && event.type !== 'ServiceDeleted';

const serviceName = (event: RecordedEvent['event']): string => {
  const { namespace, name } = eventServiceKey(event);
  return serviceKey(namespace, name);
};

const conflict = (field: string, message: string): Verdict => ({ status: 'REJECTED', code: 'CONFLICT', field, message });
const notFound = (field: string, message: string): Verdict => ({ status: 'REJECTED', code: 'NOT_FOUND', field, message });
