import type { Labels, ServiceDefinition } from '../registry/model';
import { compareText } from './compare-text';
import { MANAGED_BY, MANAGED_BY_LABEL, RESERVED_LABEL_KEYS, SERVICE_NAME_LABEL } from './endpoint-slice';

// k8s setEndpointSliceLabels: the service's labels minus the reserved keys, then the reserved
// service-name and managed-by labels on top (a service cannot override them).
// Kept per definition (definitions are immutable; a redefined service is a new object): every
// command reconciles with its service's labels, and the slices of one service share one object.
const labelsOf = new WeakMap<ServiceDefinition, Labels>();

export const sliceLabels = (definition: ServiceDefinition): Labels => {
  let labels = labelsOf.get(definition);
  if (labels === undefined) {
    labels = Object.freeze(
      sortedLabels({
        ...withoutReserved(definition.labels),
        [SERVICE_NAME_LABEL]: definition.name,
        [MANAGED_BY_LABEL]: MANAGED_BY,
      }),
    );
    labelsOf.set(definition, labels);
  }
  return labels;
};

// k8s setEndpointSliceLabels compares only the non-reserved labels of slice and service, so a
// change to a reserved key on the service never triggers a slice write.
export const serviceLabelsDiffer = (slice: Labels, definition: ServiceDefinition): boolean =>
  !equalLabels(withoutReserved(slice), withoutReserved(definition.labels));

export const equalLabels = (a: Labels, b: Labels): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
};

const withoutReserved = (labels: Labels): Labels =>
  Object.fromEntries(Object.entries(labels).filter(([key]) => !RESERVED_LABEL_KEYS.includes(key)));

const sortedLabels = (labels: Labels): Labels =>
  Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
