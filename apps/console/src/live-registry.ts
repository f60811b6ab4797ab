import { GraphQLFailure, type RegistryApi } from './api';
import {
  applyEvent,
  emptyState,
  fromList,
  unknownServices,
  withService,
  type RegistryState,
  type ServiceDefinition,
  type Slice,
  type WatchEvent,
} from './registry-state';

const SLICE_FIELDS = `metadata { name namespace labels resourceVersion generation } addressType ports { name protocol port }
  endpoints { addresses conditions { ready serving terminating } hostname nodeName zone targetRef { name } }`;
const SERVICE_FIELDS = 'namespace name ports { name protocol port targetPort }';

const SLICES = `query Slices($after: String) { endpointSlices(first: 1000, after: $after) {
  resourceVersion pageInfo { hasNextPage endCursor } nodes { ${SLICE_FIELDS} } } }`;
const SERVICES = `query Services($after: String) { services(first: 1000, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { ${SERVICE_FIELDS} } } }`;
const SERVICE = `query Service($namespace: String!, $name: String!) { service(namespace: $namespace, name: $name) { ${SERVICE_FIELDS} } }`;
const STATUS = 'query Status { registryStatus { projectorLag leaseProtection { active since pendingExpirations } } }';
const WATCH = `subscription Watch($resourceVersion: String) { endpointSliceEvents(resourceVersion: $resourceVersion) {
  type resourceVersion object { ${SLICE_FIELDS} } } }`;

interface Page<T> {
  readonly nodes: readonly T[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

export interface RegistryStatus {
  readonly projectorLag: number;
  readonly leaseProtection: { readonly active: boolean; readonly since: string | null; readonly pendingExpirations: number };
}

export type Connection = 'loading' | 'live' | 'resyncing';

export interface LiveSnapshot {
  readonly state: RegistryState;
  readonly status: RegistryStatus | undefined;
  readonly connection: Connection;
  /** The resourceVersion the view reflects. */
  readonly resourceVersion: string | undefined;
  readonly error: GraphQLFailure | undefined;
}

const RESYNC_DELAY_MS = 1000;
const STATUS_REFRESH_MS = 1000;

/**
 * List-then-watch, as a Kubernetes informer does: list every slice (and service definition) the
 * token can read, then follow `endpointSliceEvents` from the list's resourceVersion. A watch that
 * fails (too old, revoked, server gone) lists again. The registry status and service definitions
 * are fetched again when the slice events say something changed, never on a timer.
 */
export class LiveRegistry {
  private snapshot: LiveSnapshot = { state: emptyState, status: undefined, connection: 'loading', resourceVersion: undefined, error: undefined };
  private readonly listeners = new Set<(snapshot: LiveSnapshot) => void>();
  private unsubscribe: (() => void) | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly fetchingServices = new Set<string>();
  private stopped = false;

  constructor(private readonly api: RegistryApi) {}

  onChange(listener: (snapshot: LiveSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    void this.sync();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.statusTimer);
  }

  private update(change: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener(this.snapshot);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    this.unsubscribe?.();
    try {
      // The slices first: their resourceVersion is where the watch starts, and service
      // definitions read after it are at least as new.
      const { slices, resourceVersion } = await this.listSlices();
      const services = await this.listAll<ServiceDefinition>(SERVICES, (data) => (data as { services: Page<ServiceDefinition> }).services);
      this.update({ state: fromList(slices, services), resourceVersion, connection: 'live', error: undefined });
      void this.loadStatus();
      this.watch(resourceVersion);
    } catch (error) {
      this.update({ connection: 'resyncing', error: asFailure(error) });
      if (!isAuthFailure(error)) setTimeout(() => void this.sync(), RESYNC_DELAY_MS);
    }
  }

  private async listSlices(): Promise<{ slices: Slice[]; resourceVersion: string }> {
    let resourceVersion: string | undefined;
    const slices = await this.listAll<Slice>(SLICES, (data) => {
      const page = (data as { endpointSlices: Page<Slice> & { resourceVersion: string } }).endpointSlices;
      // The first page's version: later pages are at least as new, and replayed events change nothing.
      resourceVersion ??= page.resourceVersion;
      return page;
    });
    return { slices, resourceVersion: resourceVersion ?? '0' };
  }

  private async listAll<T>(query: string, pageOf: (data: unknown) => Page<T>): Promise<T[]> {
    const items: T[] = [];
    let after: string | null = null;
    do {
      const page = pageOf(await this.api.request(query, { after }));
      items.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return items;
  }

  private watch(resourceVersion: string): void {
    this.unsubscribe = this.api.subscribe<{ endpointSliceEvents: WatchEvent }>(
      WATCH,
      { resourceVersion },
      {
        next: ({ endpointSliceEvents: event }) => {
          this.update({ state: applyEvent(this.snapshot.state, event), resourceVersion: event.resourceVersion, connection: 'live', error: undefined });
          this.loadMissingServices();
          this.scheduleStatus();
        },
        error: (failure) => {
          this.update({ connection: 'resyncing', error: failure });
          if (!isAuthFailure(failure)) setTimeout(() => void this.sync(), RESYNC_DELAY_MS);
        },
        complete: () => {
          this.update({ connection: 'resyncing' });
          setTimeout(() => void this.sync(), RESYNC_DELAY_MS);
        },
      },
    );
  }

  /** A slice of a service registered after the list: its definition (ports) is fetched once. */
  private loadMissingServices(): void {
    for (const { namespace, name } of unknownServices(this.snapshot.state)) {
      const key = `${namespace}/${name}`;
      if (this.fetchingServices.has(key)) continue;
      this.fetchingServices.add(key);
      this.api
        .request<{ service: ServiceDefinition | null }>(SERVICE, { namespace, name })
        .then(({ service }) => {
          if (service) this.update({ state: withService(this.snapshot.state, service) });
        })
        .catch(() => undefined)
        .finally(() => this.fetchingServices.delete(key));
    }
  }

  /** At most one status request per second however busy the watch is, always one after the last event. */
  private scheduleStatus(): void {
    if (this.statusTimer !== undefined) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.loadStatus();
    }, STATUS_REFRESH_MS);
  }

  private async loadStatus(): Promise<void> {
    try {
      const { registryStatus } = await this.api.request<{ registryStatus: RegistryStatus }>(STATUS);
      this.update({ status: registryStatus });
    } catch {
      // The status line keeps its last value; the next event asks again.
    }
  }
}

const asFailure = (error: unknown): GraphQLFailure => (error instanceof GraphQLFailure ? error : new GraphQLFailure(String(error), undefined));

/** A missing or revoked token: listing again cannot help, the user signs in again. */
export const isAuthFailure = (error: unknown): boolean => error instanceof GraphQLFailure && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
