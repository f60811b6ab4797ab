import { DomainError, assertNever } from '../errors';
import { validateConditions } from '../validation/conditions';
import { validateEndpointInput } from '../validation/endpoint-input';
import { atKey, badInput } from '../validation/field-path';
import { validateEndpointId, validateNamespace, validateServiceName } from '../validation/identifiers';
import { validateServiceInput } from '../validation/service-input';
import { ADDRESS_TYPES, type EndpointConditions, type EndpointDefinition, type ServiceDefinition } from './model';
import type { RegisterEndpointInput, RegisterServiceInput } from './inputs';
import type { RegistryEvent } from './events';
import { UnreadableEventError } from './upcast';

const NUL_RULE = 'contains U+0000, which Postgres cannot store';
const EXPIRY_PHASES = ['NotReady', 'Removed'];

/**
 * `scanForNul: false` skips the walk for U+0000 when the caller knows there is none (the JSON text
 * it parsed has no `\u0000` escape, the only way JSON carries one).
 *
 * The projector reads the log as the API reads its input: an event that could not have passed the
 * API's validators (a hand-produced message, a bug in an old writer) is unreadable and goes to the
 * dead-letter topic with the field and rule, instead of failing its partition's transaction for
 * ever. What depends on the service's state (an address family it serves) is judged at apply time.
 */
export const validateEvent = (event: RegistryEvent, options: { readonly scanForNul?: boolean } = {}): void => {
  try {
    if (options.scanForNul ?? true) rejectNul(event.data, 'data');
    validateData(event);
  } catch (error) {
    if (error instanceof DomainError) throw new UnreadableEventError(`${event.type}: ${error.message}`);
    throw error;
  }
};

/** Postgres text and jsonb refuse U+0000 anywhere, in keys as in values. */
const rejectNul = (value: unknown, field: string): void => {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw badInput(field, NUL_RULE);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => rejectNul(item, `${field}[${index}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyField = /^[A-Za-z]\w*$/.test(key) ? `${field}.${key}` : atKey(field, key);
      if (key.includes('\u0000')) throw badInput(keyField, `key ${NUL_RULE}`);
      rejectNul(item, keyField);
    }
  }
};

const validateData = (event: RegistryEvent): void => {
  switch (event.type) {
    case 'ServiceRegistered':
      validateService(event.data.service);
      return;
    case 'ServiceDeleted':
      validateNamespace(event.data.namespace, 'data.namespace');
      validateServiceName(event.data.name, 'data.name');
      return;
    case 'EndpointRegistered':
      validateServiceRef(event.data.namespace, event.data.serviceName);
      validateEndpoint(event.data.namespace, event.data.serviceName, event.data.endpoint);
      return;
    case 'EndpointConditionsChanged':
      validateEndpointRef(event.data);
      validateStoredConditions(event.data.conditions, 'data.conditions');
      optionalString(event.data.reason, 'data.reason');
      optionalString(event.data.leaseId, 'data.leaseId');
      return;
    case 'EndpointDeregistered':
      validateEndpointRef(event.data);
      return;
    case 'EndpointExpired':
      validateEndpointRef(event.data);
      if (!EXPIRY_PHASES.includes(event.data.phase)) throw badInput('data.phase', `must be one of ${EXPIRY_PHASES.join(', ')}`);
      if (typeof event.data.leaseLapsedAt !== 'string' || Number.isNaN(Date.parse(event.data.leaseLapsedAt))) {
        throw badInput('data.leaseLapsedAt', 'must be an RFC 3339 time');
      }
      optionalString(event.data.leaseId, 'data.leaseId');
      return;
    default:
      assertNever(event);
  }
};

const requireObject = (value: unknown, field: string): void => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput(field, 'must be an object');
};

const optionalString = (value: unknown, field: string): void => {
  if (value !== undefined && typeof value !== 'string') throw badInput(field, 'must be a string');
};

const requireString = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw badInput(field, 'must be a string');
  return value;
};

const validateServiceRef = (namespace: unknown, serviceName: unknown): void => {
  validateNamespace(requireString(namespace, 'data.namespace'), 'data.namespace');
  validateServiceName(requireString(serviceName, 'data.serviceName'), 'data.serviceName');
};

const validateEndpointRef = (data: { readonly namespace: unknown; readonly serviceName: unknown; readonly id: unknown }): void => {
  validateServiceRef(data.namespace, data.serviceName);
  validateEndpointId(requireString(data.id, 'data.id'), 'data.id');
};

const validateService = (service: ServiceDefinition): void => {
  requireObject(service, 'data.service');
  if (!Array.isArray(service.ports)) throw badInput('data.service.ports', 'must be a list');
  validateServiceInput(service as unknown as RegisterServiceInput, 'data.service');
};

/** Stored conditions are complete: three booleans, never ready while terminating. */
const validateStoredConditions = (conditions: EndpointConditions, field: string): void => {
  requireObject(conditions, field);
  for (const name of ['ready', 'serving', 'terminating'] as const) {
    if (typeof conditions[name] !== 'boolean') throw badInput(`${field}.${name}`, 'must be true or false');
  }
  validateConditions(conditions, field);
};

const validateEndpoint = (namespace: string, serviceName: string, endpoint: EndpointDefinition): void => {
  const field = 'data.endpoint';
  requireObject(endpoint, field);
  if (!Array.isArray(endpoint.addresses)) throw badInput(`${field}.addresses`, 'must be a list');
  if (endpoint.ports !== undefined && !Array.isArray(endpoint.ports)) throw badInput(`${field}.ports`, 'must be a list');
  validateEndpointId(requireString(endpoint.id, `${field}.id`), `${field}.id`);
  validateStoredConditions(endpoint.conditions, `${field}.conditions`);
  // The API's own validator, run against a service that serves every family and names exactly
  // the endpoint's ports: the checks that depend on the real service belong to apply time.
  const permissive: ServiceDefinition = {
    namespace,
    name: serviceName,
    labels: {},
    addressTypes: ADDRESS_TYPES,
    ports: (endpoint.ports ?? []).map((p) => ({ name: p.name, protocol: p.protocol, port: 1, targetPort: 1 })),
  };
  // One literal, not { ...endpoint, namespace, serviceName }: that copy gets a hidden class of its
  // own in V8 for every event, and every read the validator makes of it goes megamorphic.
  const { id, addresses, conditions, hostname, nodeName, zone, ports, ttlSeconds, deregisterAfterSeconds } = endpoint;
  const input: RegisterEndpointInput = { namespace, serviceName, id, addresses, conditions, hostname, nodeName, zone, ports, ttlSeconds, deregisterAfterSeconds };
  const valid = validateEndpointInput(input, permissive, field);
  for (let index = 0; index < endpoint.addresses.length; index++) {
    if (endpoint.addresses[index] !== valid.addresses[index]) {
      throw badInput(`${field}.addresses[${index}]`, `must be in canonical form (${valid.addresses[index]})`);
    }
  }
};
