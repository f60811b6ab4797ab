import { DomainError, assertNever } from '../errors';
import {
  validateConditions,
  validateEndpointId,
  validateEndpointIds,
  validateEndpointInput,
  validateNamespace,
  validateServiceInput,
  validateServiceName,
} from '../validation';
import type { RegistryCommand } from './commands';
import type { RegistryEvent } from './events';
import type { ServiceState } from './state';

/**
 * Validates a command against the service's current state and returns the events to append.
 * Throws DomainError for anything a client got wrong; nothing is appended then.
 */
export const decide = (command: RegistryCommand, state: ServiceState | undefined): RegistryEvent[] => {
  switch (command.type) {
    case 'RegisterService':
      return [{ type: 'ServiceRegistered', data: { service: validateServiceInput(command.input) } }];
    case 'DeleteService': {
      const namespace = validateNamespace(command.namespace, 'namespace');
      const name = validateServiceName(command.name, 'name');
      requireService(state, namespace, name, 'name');
      return [{ type: 'ServiceDeleted', data: { namespace, name } }];
    }
    case 'RegisterEndpoints': {
      const service = requireService(state, command.namespace, command.serviceName, `${command.inputs[0].field}.serviceName`);
      const endpoints = command.inputs.map(({ field, input }) => validateEndpointInput(input, service.definition, field));
      // Compared after defaulting and canonicalization: two spellings of one endpoint in one request.
      const firstField = new Map<string, string>();
      endpoints.forEach((endpoint, i) => {
        const earlier = firstField.get(endpoint.id);
        if (earlier !== undefined) {
          throw new DomainError('BAD_USER_INPUT', `${command.inputs[i].field}.id`, `Duplicate value: endpoint ${endpoint.id} already appears at ${earlier}`);
        }
        firstField.set(endpoint.id, command.inputs[i].field);
      });
      return endpoints.map((endpoint) => ({
        type: 'EndpointRegistered',
        data: { namespace: command.namespace, serviceName: command.serviceName, endpoint },
      }));
    }
    case 'SetEndpointConditions': {
      const service = requireService(state, command.namespace, command.serviceName, 'serviceName');
      const id = requireEndpoint(service, command.id, 'id');
      const conditions = validateConditions(command.conditions, 'conditions');
      return [
        {
          type: 'EndpointConditionsChanged',
          data: { namespace: command.namespace, serviceName: command.serviceName, id, conditions },
        },
      ];
    }
    case 'DeregisterEndpoints': {
      const service = requireService(state, command.namespace, command.serviceName, 'serviceName');
      const ids = validateEndpointIds(command.ids, 'ids').map((id, i) => requireEndpoint(service, id, `ids[${i}]`));
      return ids.map((id) => ({
        type: 'EndpointDeregistered',
        data: { namespace: command.namespace, serviceName: command.serviceName, id },
      }));
    }
    default:
      return assertNever(command);
  }
};

const requireService = (
  state: ServiceState | undefined,
  namespace: string,
  name: string,
  field: string,
): ServiceState => {
  if (!state) throw new DomainError('NOT_FOUND', field, `service ${namespace}/${name} is not registered`);
  return state;
};

const requireEndpoint = (state: ServiceState, rawId: string, field: string): string => {
  const id = validateEndpointId(rawId, field);
  if (!(id in state.endpoints)) {
    const { namespace, name } = state.definition;
    throw new DomainError('NOT_FOUND', field, `endpoint ${id} is not registered in service ${namespace}/${name}`);
  }
  return id;
};
