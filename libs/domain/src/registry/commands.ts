import { validateNamespace, validateServiceName } from '../validation';
import type { EndpointConditionsInput, RegisterEndpointInput, RegisterServiceInput } from './inputs';

export type RegistryCommand =
  | { readonly type: 'RegisterService'; readonly input: RegisterServiceInput }
  | { readonly type: 'DeleteService'; readonly namespace: string; readonly name: string }
  /** One service's share of a registerEndpoint(s) request; `field` locates each input for errors. */
  | {
      readonly type: 'RegisterEndpoints';
      readonly namespace: string;
      readonly serviceName: string;
      readonly inputs: readonly { readonly field: string; readonly input: RegisterEndpointInput }[];
    }
  | {
      readonly type: 'SetEndpointConditions';
      readonly namespace: string;
      readonly serviceName: string;
      readonly id: string;
      readonly conditions: EndpointConditionsInput;
    }
  | {
      readonly type: 'DeregisterEndpoints';
      readonly namespace: string;
      readonly serviceName: string;
      readonly ids: readonly string[];
    };

/** registerEndpoint(s) inputs -> one RegisterEndpoints command per service, in first-seen order. */
export const endpointRegistrationCommands = (
  inputs: readonly { readonly field: string; readonly input: RegisterEndpointInput }[],
): RegistryCommand[] => {
  const byService = new Map<string, { namespace: string; serviceName: string; inputs: { field: string; input: RegisterEndpointInput }[] }>();
  for (const item of inputs) {
    const namespace = validateNamespace(item.input.namespace, `${item.field}.namespace`);
    const serviceName = validateServiceName(item.input.serviceName, `${item.field}.serviceName`);
    const key = JSON.stringify([namespace, serviceName]);
    const group = byService.get(key) ?? { namespace, serviceName, inputs: [] };
    group.inputs.push(item);
    byService.set(key, group);
  }
  return [...byService.values()].map((group) => ({ type: 'RegisterEndpoints', ...group }));
};
