import type { StoredService } from '@lib/persistence';
import type { Service } from './service.types';

export const toServiceObject = ({ definition, resourceVersion }: StoredService): Service => ({
  namespace: definition.namespace,
  name: definition.name,
  labels: { ...definition.labels },
  ports: definition.ports.map((p) => ({ ...p })),
  addressTypes: [...definition.addressTypes],
  trafficDistribution: definition.trafficDistribution,
  resourceVersion,
});
