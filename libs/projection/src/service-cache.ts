import { EndpointRepository, EndpointSliceRepository, ServiceRepository, type Queryable, type StoredService } from '@lib/persistence';
import { ServiceModel } from './service-model';

/** What the commands of a transaction need of one service's model. */
export interface ModelNeed {
  /** The endpoints the commands name. */
  readonly ids: ReadonlySet<string>;
  /** A service-level command (a registration or deletion of the service) reconciles every endpoint. */
  readonly whole: boolean;
}

/**
 * The services this projector has touched, kept between transactions so a command does not reload
 * what the previous one wrote. Each use checks the stored service's last command against the
 * cached one (one indexed read for all keys of a transaction): a partition that moved to another
 * projector and back, a failed transaction or a rebuild all show as a mismatch and reload the
 * service. A model is loaded with only the endpoints its commands need (see ServiceModel) and
 * learns the others' rows as later commands name them. Bounded by endpoints held; whole services
 * are evicted, least recently used first.
 */
export class ServiceCache {
  private readonly models = new Map<string, ServiceModel>();
  private held = 0;
  /** Keys of the transactions in flight (how many hold each): another transaction's eviction skips them. */
  private readonly inUse = new Map<string, number>();

  constructor(
    private readonly repositories: {
      readonly services: ServiceRepository;
      readonly endpoints: EndpointRepository;
      readonly slices: EndpointSliceRepository;
    },
    private readonly maxEndpoints: number,
  ) {}

  /** The current model of each key, loading those not cached, cached stale or too partial. */
  async acquire(q: Queryable, needs: ReadonlyMap<string, ModelNeed>): Promise<Map<string, ServiceModel>> {
    const keys = [...needs.keys()];
    const stored = await this.repositories.services.load(q, keys);
    const result = new Map<string, ServiceModel>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.usable(key, needs);
      const row = stored.get(key);
      const current = cached && (row ? cached.definition !== undefined && cached.lastCommandId === row.lastCommandId : cached.definition === undefined);
      if (current) {
        this.touch(key, cached);
        result.set(key, cached);
      } else {
        this.drop([key]);
        missing.push(key);
      }
    }
    await this.learnNamed(q, result, needs);
    for (const [key, model] of await this.load(q, missing, stored, needs)) result.set(key, model);
    this.evict();
    return result;
  }

  /**
   * The model of each key as this projector left it, loading only those not cached, without
   * checking them against the stored rows: the caller checks `expected` (each service's last
   * command, undefined for none) under its transaction's locks before it writes what it derived.
   */
  async acquireUnchecked(q: Queryable, needs: ReadonlyMap<string, ModelNeed>): Promise<{ models: Map<string, ServiceModel>; expected: Map<string, string | undefined> }> {
    const keys = [...needs.keys()];
    const models = new Map<string, ServiceModel>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.usable(key, needs);
      if (cached) {
        this.touch(key, cached);
        models.set(key, cached);
      } else {
        this.drop([key]);
        missing.push(key);
      }
    }
    await this.learnNamed(q, models, needs);
    if (missing.length > 0) {
      for (const [key, model] of await this.load(q, missing, await this.repositories.services.load(q, missing), needs)) models.set(key, model);
    }
    this.evict();
    const expected = new Map([...models].map(([key, model]) => [key, model.definition === undefined ? undefined : model.lastCommandId]));
    return { models, expected };
  }

  /** The cached model, unless the commands need every endpoint and it holds only some. */
  private usable(key: string, needs: ReadonlyMap<string, ModelNeed>): ServiceModel | undefined {
    const cached = this.models.get(key);
    return cached && (cached.complete || !needs.get(key)?.whole) ? cached : undefined;
  }

  /** Cached partial models look up the named endpoints they have not seen: one query for all. */
  private async learnNamed(q: Queryable, models: ReadonlyMap<string, ServiceModel>, needs: ReadonlyMap<string, ModelNeed>): Promise<void> {
    const requests = [...models].flatMap(([key, model]) => {
      const ids = [...(needs.get(key)?.ids ?? [])].filter((id) => !model.knows(id));
      return ids.length > 0 ? [{ key, ids }] : [];
    });
    if (requests.length === 0) return;
    const found = await this.repositories.endpoints.named(q, requests);
    for (const { key, ids } of requests) models.get(key)?.learn(found.get(key) ?? new Map(), ids);
  }

  private async load(
    q: Queryable,
    keys: readonly string[],
    stored: ReadonlyMap<string, StoredService>,
    needs: ReadonlyMap<string, ModelNeed>,
  ): Promise<Map<string, ServiceModel>> {
    const loaded = new Map<string, ServiceModel>();
    if (keys.length === 0) return loaded;
    const present = keys.filter((key) => stored.has(key));
    const partial = present.filter((key) => !needs.get(key)?.whole);
    const [complete, named, slices] = await Promise.all([
      this.repositories.endpoints.forServices(q, present.filter((key) => needs.get(key)?.whole)),
      this.repositories.endpoints.namedOrMultiAddress(q, partial.map((key) => ({ key, ids: [...(needs.get(key)?.ids ?? [])] }))),
      this.repositories.slices.forServices(q, present),
    ]);
    for (const key of keys) {
      // A service without a row has no endpoint rows either: its model is complete.
      const lookedUp = named.has(key) ? (needs.get(key)?.ids ?? []) : undefined;
      const model = ServiceModel.load(stored.get(key), complete.get(key) ?? named.get(key) ?? new Map(), (slices.get(key) ?? []).map((s) => s.slice), lookedUp);
      this.touch(key, model);
      loaded.set(key, model);
    }
    return loaded;
  }

  /** Forget services whose in-memory state may be ahead of what was committed. */
  drop(keys: Iterable<string>): void {
    for (const key of keys) {
      const model = this.models.get(key);
      if (!model) continue;
      this.held -= model.weight;
      this.models.delete(key);
    }
  }

  /** After a commit: endpoint counts changed, so the budget is counted again. */
  settle(): void {
    this.held = 0;
    for (const model of this.models.values()) this.held += model.weight;
    this.evict();
  }

  /** A transaction will use these keys: no other transaction's eviction takes them until `release`. */
  hold(keys: Iterable<string>): void {
    for (const key of keys) this.inUse.set(key, (this.inUse.get(key) ?? 0) + 1);
  }

  /** The transaction that held these keys has ended: one release for each hold of the same keys. */
  release(keys: Iterable<string>): void {
    for (const key of keys) {
      const holders = (this.inUse.get(key) ?? 0) - 1;
      if (holders > 0) this.inUse.set(key, holders);
      else this.inUse.delete(key);
    }
  }

  private touch(key: string, model: ServiceModel): void {
    if (this.models.get(key) === model) {
      this.models.delete(key);
    } else {
      this.drop([key]);
      this.held += model.weight;
    }
    this.models.set(key, model);
  }

  /** Least recently used first, never one a transaction in flight holds; the most recent service always stays, however large. */
  private evict(): void {
    for (const [key, model] of this.models) {
      if (this.held <= this.maxEndpoints || this.models.size <= 1) return;
      if (this.inUse.has(key)) continue;
      this.held -= model.weight;
      this.models.delete(key);
    }
  }
}
