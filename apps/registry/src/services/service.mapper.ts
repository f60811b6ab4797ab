import type { ServiceState } from '@lib/domain';
import type { Service } from './service.types';

export const toServiceObject = ({ definition }: ServiceState): Service => ({
  namespace: definition.namespace,
  name: definition.name,
  labels: { ...definition.labels },
  ports: definition.ports.map((p) => ({ ...p })),
  addressTypes: [...definition.addressTypes],
  trafficDistribution: definition.trafficDistribution,
});
