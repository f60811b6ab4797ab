import { Inject, Injectable } from '@nestjs/common';
import { serviceStateOf, type ServiceState } from '@lib/domain';
import { EndpointRepository, ServiceRepository, type StoredEndpoint, type StoredService } from '@lib/persistence';
import { DataSource } from 'typeorm';

/** What the API decides a command against: the service row and only the endpoint rows it names. */
export interface DecisionState {
  /** The service with just the named endpoints, for `decide` and the lease checks. */
  readonly state: ServiceState | undefined;
  readonly service: StoredService | undefined;
  readonly endpoints: ReadonlyMap<string, StoredEndpoint>;
}

/**
 * Index lookups, never a whole-service read: the cost of deciding a command is the endpoints it
 * names, whatever the service holds. The projector judges again where the command lands.
 */
@Injectable()
export class DecisionStates {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceRepository) private readonly services: ServiceRepository,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
  ) {}

  async load(requests: readonly { readonly key: string; readonly ids: readonly string[] }[]): Promise<Map<string, DecisionState>> {
    const q = this.dataSource.manager;
    const [services, endpoints] = await Promise.all([
      this.services.load(q, requests.map((r) => r.key)),
      this.endpoints.named(q, requests),
    ]);
    return new Map(
      requests.map(({ key }) => {
        const service = services.get(key);
        const named = endpoints.get(key) ?? new Map<string, StoredEndpoint>();
        return [key, { service, endpoints: named, state: service && serviceStateOf(service, named) }];
      }),
    );
  }
}
