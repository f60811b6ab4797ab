import { Inject, Injectable } from '@nestjs/common';
import { serviceStateOf, type ServiceState } from '@lib/domain';
import { EndpointRepository, ServiceRepository, type StoredEndpoint, type StoredService } from '@lib/persistence';
import { GroupCommit } from '@lib/projection';
import { DataSource } from 'typeorm';

/** What the API decides a command against: the service row and only the endpoint rows it names. */
export interface DecisionState {
  /** The service with just the named endpoints, for `decide` and the lease checks. */
  readonly state: ServiceState | undefined;
  readonly service: StoredService | undefined;
  readonly endpoints: ReadonlyMap<string, StoredEndpoint>;
}

interface Lookup {
  readonly requests: readonly { readonly key: string; readonly ids: readonly string[] }[];
  states?: Map<string, DecisionState>;
}

/** Lookups gathered into one pair of queries; a batch is bounded by the services it names. */
const LOOKUP_BATCH = { maxWeight: 1000, weightOf: (lookup: Lookup) => lookup.requests.length, concurrency: 2 };

/**
 * Index lookups, never a whole-service read: the cost of deciding a command is the endpoints it
 * names, whatever the service holds. The projector judges again where the command lands.
 * Concurrent mutations share their lookups: those arriving while one is in flight go together
 * into the next, so under load a query serves many requests instead of one.
 */
@Injectable()
export class DecisionStates {
  private readonly lookups = new GroupCommit<Lookup>((batch) => this.loadAll(batch), LOOKUP_BATCH);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceRepository) private readonly services: ServiceRepository,
    @Inject(EndpointRepository) private readonly endpoints: EndpointRepository,
  ) {}

  async load(requests: Lookup['requests']): Promise<Map<string, DecisionState>> {
    const lookup: Lookup = { requests };
    await this.lookups.submit(lookup);
    return lookup.states as Map<string, DecisionState>;
  }

  private async loadAll(lookups: readonly Lookup[]): Promise<void> {
    const named = new Map<string, Set<string>>();
    for (const { requests } of lookups) {
      for (const { key, ids } of requests) {
        const set = named.get(key) ?? new Set<string>();
        ids.forEach((id) => set.add(id));
        named.set(key, set);
      }
    }
    const q = this.dataSource.manager;
    const [services, endpoints] = await Promise.all([
      this.services.load(q, [...named.keys()]),
      this.endpoints.named(q, [...named].map(([key, ids]) => ({ key, ids: [...ids] }))),
    ]);
    for (const lookup of lookups) {
      lookup.states = new Map(
        lookup.requests.map(({ key, ids }) => {
          const service = services.get(key);
          const found = endpoints.get(key);
          // Each request decides against the endpoints it named, not those its neighbours did.
          const own = new Map<string, StoredEndpoint>(ids.flatMap((id) => (found?.has(id) ? [[id, found.get(id) as StoredEndpoint] as const] : [])));
          return [key, { service, endpoints: own, state: service && serviceStateOf(service, own) }];
        }),
      );
    }
  }
}
