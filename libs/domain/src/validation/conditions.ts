import type { EndpointConditions } from '../registry/model';
import type { EndpointConditionsInput } from '../registry/inputs';
import { badInput } from './field-path';

export const READY_WHILE_TERMINATING_RULE =
  'ready must be false while terminating is true (Kubernetes: a terminating endpoint is never ready)';

// discovery/v1 types.go: serving nil means true, terminating nil means false, and ready "should
// be true iff serving and not terminating" (the controller's podToEndpoint mapping).
export const validateConditions = (
  input: EndpointConditionsInput | null | undefined,
  field: string,
): EndpointConditions => {
  const serving = input?.serving ?? true;
  const terminating = input?.terminating ?? false;
  const ready = input?.ready ?? (serving && !terminating);
  // The only exception upstream is publishNotReadyAddresses, which a registry has no use for.
  if (ready && terminating) throw badInput(`${field}.ready`, READY_WHILE_TERMINATING_RULE);
  return { ready, serving, terminating };
};
