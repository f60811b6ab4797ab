import { EndpointRepository, EndpointSliceRepository, ServiceRepository, type Queryable, type StoredService } from '@lib/persistence';
import { ServiceModel } from './service-model';

/**
 * The services this projector has touched, kept between transactions so a command does not reload
 * what the previous one wrote. Each use checks the stored service's last command against the
 * cached one (one indexed read for all keys of a transaction): a partition that moved to another
 * projector and back, a failed transaction or a rebuild all show as a mismatch and reload the
 * service. Bounded by endpoints held; whole services are evicted, least recently used first.
 */
export class ServiceCache {
  private readonly models = new Map<string, ServiceModel>();
  private held = 0;

  constructor(
    private readonly repositories: {
      readonly services: ServiceRepository;
      readonly endpoints: EndpointRepository;
      readonly slices: EndpointSliceRepository;
    },
    private readonly maxEndpoints: number,
  ) {}

  /** The current model of each key, loading those not cached or cached stale. */
  async acquire(q: Queryable, keys: readonly string[]): Promise<Map<string, ServiceModel>> {
    const stored = await this.repositories.services.load(q, keys);
    const result = new Map<string, ServiceModel>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.models.get(key);
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
    for (const [key, model] of await this.load(q, missing, stored)) result.set(key, model);
    this.evict(new Set(keys));
    return result;
  }

  /**
   * The model of each key as this projector left it, loading only those not cached, without
   * checking them against the stored rows: the caller checks `expected` (each service's last
   * command, undefined for none) under its transaction's locks before it writes what it derived.
   */
  async acquireUnchecked(q: Queryable, keys: readonly string[]): Promise<{ models: Map<string, ServiceModel>; expected: Map<string, string | undefined> }> {
    const models = new Map<string, ServiceModel>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.models.get(key);
      if (cached) {
        this.touch(key, cached);
        models.set(key, cached);
      } else {
        missing.push(key);
      }
    }
    if (missing.length > 0) {
      for (const [key, model] of await this.load(q, missing, await this.repositories.services.load(q, missing))) models.set(key, model);
    }
    this.evict(new Set(keys));
    const expected = new Map([...models].map(([key, model]) => [key, model.definition === undefined ? undefined : model.lastCommandId]));
    return { models, expected };
  }

  private async load(q: Queryable, keys: readonly string[], stored: ReadonlyMap<string, StoredService>): Promise<Map<string, ServiceModel>> {
    const loaded = new Map<string, ServiceModel>();
    if (keys.length === 0) return loaded;
    const present = keys.filter((key) => stored.has(key));
    const [endpoints, slices] = await Promise.all([this.repositories.endpoints.forServices(q, present), this.repositories.slices.forServices(q, present)]);
    for (const key of keys) {
      const model = ServiceModel.load(stored.get(key), endpoints.get(key) ?? new Map(), (slices.get(key) ?? []).map((s) => s.slice));
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
      this.held -= model.endpoints.size;
      this.models.delete(key);
    }
  }

  /** After a commit: endpoint counts changed, so the budget is counted again. */
  settle(): void {
    this.held = 0;
    for (const model of this.models.values()) this.held += model.endpoints.size;
    this.evict(new Set());
  }

  private touch(key: string, model: ServiceModel): void {
    if (this.models.get(key) === model) {
      this.models.delete(key);
    } else {
      this.drop([key]);
      this.held += model.endpoints.size;
    }
    this.models.set(key, model);
  }

  /** Least recently used first; the most recent service always stays, however large. */
  private evict(inUse: ReadonlySet<string>): void {
    for (const [key, model] of this.models) {
      if (this.held <= this.maxEndpoints || this.models.size <= 1) return;
      if (inUse.has(key)) continue;
      this.held -= model.endpoints.size;
      this.models.delete(key);
    }
  }
}
