/**
 * What the console shows, kept as a client-go informer keeps its cache: a list at a
 * resourceVersion, then every watch event after it applied in order. Pure functions over plain
 * data, so that the list-then-watch rules are tested without a browser.
 */

export interface Conditions {
  readonly ready: boolean | null;
  readonly serving: boolean | null;
  readonly terminating: boolean | null;
}

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions: Conditions;
  readonly hostname: string | null;
  readonly nodeName: string | null;
  readonly zone: string | null;
  readonly targetRef: { readonly name: string } | null;
}

export interface Slice {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly resourceVersion: string;
    readonly generation: number;
  };
  readonly addressType: string;
  readonly ports: readonly { readonly name: string | null; readonly protocol: string; readonly port: number | null }[];
  readonly endpoints: readonly SliceEndpoint[];
}

export interface ServicePort {
  readonly name: string | null;
  readonly protocol: string;
  readonly port: number;
  readonly targetPort: number | null;
}

export interface ServiceDefinition {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly ServicePort[];
}

export interface RegistryState {
  /** Slices by `namespace/name`. */
  readonly slices: ReadonlyMap<string, Slice>;
  /** Service definitions by `namespace/name`. */
  readonly services: ReadonlyMap<string, ServiceDefinition>;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  readonly object: Slice | null;
  readonly resourceVersion: string;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/** The service a slice belongs to, by the label Kubernetes puts on every slice. */
export const serviceKeyOf = (slice: Slice): string => keyOf(slice.metadata.namespace, slice.metadata.labels[SERVICE_NAME_LABEL] ?? '');

/** resourceVersions are decimal integers (PRODUCT.md): compared as numbers of any length. */
export const compareVersions = (a: string, b: string): number => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

export const emptyState: RegistryState = { slices: new Map(), services: new Map() };

export const fromList = (slices: readonly Slice[], services: readonly ServiceDefinition[]): RegistryState => ({
  slices: new Map(slices.map((slice) => [keyOf(slice.metadata.namespace, slice.metadata.name), slice])),
  services: new Map(services.map((service) => [keyOf(service.namespace, service.name), service])),
});

/**
 * One watch event. A replayed event (the watch resumed from an older resourceVersion than a
 * slice's) changes nothing, so applying a stream twice ends in the same state. A service whose
 * last slice is deleted is gone (a registered service always keeps a placeholder slice).
 */
export const applyEvent = (state: RegistryState, event: WatchEvent): RegistryState => {
  const slice = event.object;
  if (event.type === 'BOOKMARK' || !slice) return state;
  const key = keyOf(slice.metadata.namespace, slice.metadata.name);
  const known = state.slices.get(key);
  // Already seen: a replayed change (or deletion) older than the slice the console holds.
  if (known && compareVersions(known.metadata.resourceVersion, event.resourceVersion) >= 0) return state;
  const slices = new Map(state.slices);
  if (event.type === 'DELETED') {
    if (!known) return state;
    slices.delete(key);
    const serviceKey = serviceKeyOf(slice);
    const remains = [...slices.values()].some((other) => serviceKeyOf(other) === serviceKey);
    if (remains) return { ...state, slices };
    const services = new Map(state.services);
    services.delete(serviceKey);
    return { slices, services };
  }
  slices.set(key, slice);
  return { ...state, slices };
};

export const withService = (state: RegistryState, service: ServiceDefinition): RegistryState => ({
  ...state,
  services: new Map(state.services).set(keyOf(service.namespace, service.name), service),
});

/** Slices whose service definition the console has not loaded yet (a service registered after the list). */
export const unknownServices = (state: RegistryState): { namespace: string; name: string }[] => {
  const missing = new Map<string, { namespace: string; name: string }>();
  for (const slice of state.slices.values()) {
    const key = serviceKeyOf(slice);
    if (!state.services.has(key)) missing.set(key, { namespace: slice.metadata.namespace, name: slice.metadata.labels[SERVICE_NAME_LABEL] ?? '' });
  }
  return [...missing.values()];
};

/** An endpoint as the service page shows it: one row per registered instance, over all its slices. */
export interface EndpointRow {
  readonly id: string;
  readonly addresses: readonly string[];
  readonly conditions: Conditions;
  readonly zone: string | null;
  readonly nodeName: string | null;
  readonly hostname: string | null;
  readonly slices: readonly string[];
}

/** Kubernetes reads an unset `ready` as ready. */
export const isReady = (conditions: Conditions): boolean => conditions.ready !== false;

export const slicesOf = (state: RegistryState, namespace: string, name: string): Slice[] =>
  [...state.slices.values()].filter((slice) => serviceKeyOf(slice) === keyOf(namespace, name)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

/** A dual-stack instance sits in an IPv4 and an IPv6 slice: one row with both addresses. */
export const endpointRows = (slices: readonly Slice[]): EndpointRow[] => {
  const rows = new Map<string, EndpointRow>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      const id = endpoint.targetRef?.name ?? endpoint.addresses[0] ?? '';
      const row = rows.get(id);
      rows.set(id, {
        id,
        addresses: [...(row?.addresses ?? []), ...endpoint.addresses],
        conditions: endpoint.conditions,
        zone: endpoint.zone,
        nodeName: endpoint.nodeName,
        hostname: endpoint.hostname,
        slices: [...(row?.slices ?? []), slice.metadata.name],
      });
    }
  }
  return [...rows.values()].sort((a, b) => a.id.localeCompare(b.id));
};

export interface ServiceSummary {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly ServicePort[];
  readonly ready: number;
  readonly total: number;
  readonly slices: number;
}

export const serviceSummaries = (state: RegistryState): ServiceSummary[] => {
  const byService = new Map<string, Slice[]>();
  for (const slice of state.slices.values()) {
    const key = serviceKeyOf(slice);
    byService.set(key, [...(byService.get(key) ?? []), slice]);
  }
  const keys = new Set([...state.services.keys(), ...byService.keys()]);
  return [...keys]
    .map((key) => {
      const slices = byService.get(key) ?? [];
      const rows = endpointRows(slices);
      const [namespace, name] = key.split('/') as [string, string];
      return {
        namespace,
        name,
        ports: state.services.get(key)?.ports ?? [],
        ready: rows.filter((row) => isReady(row.conditions)).length,
        total: rows.length,
        slices: slices.length,
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
};

/** The list's filters: a namespace (or all) and a search over names, namespaces and ports. */
export const filterSummaries = (summaries: readonly ServiceSummary[], namespace: string, search: string): ServiceSummary[] => {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return summaries.filter(
    (summary) =>
      (namespace === '' || summary.namespace === namespace) &&
      words.every((word) => `${summary.namespace}/${summary.name} ${summary.ports.map((p) => `${p.name ?? ''} ${p.port}`).join(' ')}`.toLowerCase().includes(word)),
  );
};

export const namespacesOf = (summaries: readonly ServiceSummary[]): string[] => [...new Set(summaries.map((summary) => summary.namespace))].sort();
