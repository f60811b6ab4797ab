import { atIndex, badInput } from './field-path';
import { validateEndpointId } from './identifiers';

// One bulk request becomes one batch of events applied in one reconcile of each service; the
// cap bounds that transaction and matches the k8s per-slice endpoint cap (maxEndpoints 1000).
export const MAX_BULK_INPUTS = 1000;

export const validateBulkSize = (items: readonly unknown[], field: string): void => {
  if (items.length === 0) throw badInput(field, 'must contain at least 1 item');
  if (items.length > MAX_BULK_INPUTS) {
    throw badInput(field, `Too many: ${items.length}: must have at most ${MAX_BULK_INPUTS} items`);
  }
};

// For deregisterEndpoints / heartbeats: the same size cap, each id well-formed, none repeated.
export const validateEndpointIds = (ids: readonly string[], field: string): readonly string[] => {
  validateBulkSize(ids, field);
  const seen = new Set<string>();
  return ids.map((id, index) => {
    const itemField = atIndex(field, index);
    validateEndpointId(id, itemField);
    if (seen.has(id)) throw badInput(itemField, `Duplicate value: ${JSON.stringify(id)}: ids must be unique`);
    seen.add(id);
    return id;
  });
};
