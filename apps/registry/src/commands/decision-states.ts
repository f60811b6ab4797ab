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
 * How long a service read for one registration may decide the next ones without a read. Bounds
 * how long another replica's redefinition can go unseen here; this replica's own forget at once.
 */
const DEFINITION_TTL_MS = 2000;
const MAX_CACHED_DEFINITIONS = 10_000;

interface CachedDefinition {
  readonly state: DecisionState;
  readonly until: number;
}

/**
 * Index lookups, never a whole-service read: the cost of deciding a command is the endpoints it
 * names, whatever the service holds. The projector judges again where the command lands.
 * Concurrent mutations share their lookups: those arriving while one is in flight go together
 * into the next, so under load a query serves many requests instead of one.
 */
@Injectable()
export class DecisionStates {
  private readonly lookups = new GroupCommit<Lookup>((batch) => this.loadAll(batch), LOOKUP_BATCH);
  private readonly definitions = new Map<string, CachedDefinition>();
  /** Moves on every forget, so a lookup that began before one does not cache what it read. */
  private generation = 0;

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

  /**
   * The services alone (no endpoint rows), as read within the last DEFINITION_TTL_MS: for commands
   * that only the definition decides. What a stale definition accepts, the projector judges again
   * where the command lands; a caller must decide a refusal again on `load`.
   */
  async definitionsOf(keys: readonly string[]): Promise<Map<string, DecisionState>> {
    const now = performance.now();
    const found = new Map<string, DecisionState>();
    for (const key of keys) {
      const cached = this.definitions.get(key);
      if (cached !== undefined && cached.until > now) found.set(key, cached.state);
    }
    const missing = keys.filter((key) => !found.has(key));
    if (missing.length === 0) return found;
    const generation = this.generation;
    const loaded = await this.load(missing.map((key) => ({ key, ids: [] })));
    for (const [key, state] of loaded) {
      found.set(key, state);
      if (state.service !== undefined && generation === this.generation) this.remember(key, state);
    }
    return found;
  }

  /** A command of this replica is changing the service: it is read again until that is settled. */
  forget(key: string): void {
    this.definitions.delete(key);
    this.generation++;
  }

  private remember(key: string, state: DecisionState): void {
    this.definitions.delete(key);
    this.definitions.set(key, { state, until: performance.now() + DEFINITION_TTL_MS });
    if (this.definitions.size > MAX_CACHED_DEFINITIONS) this.definitions.delete(this.definitions.keys().next().value as string);
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
