import type { KubernetesEndpointSlice } from '@lib/domain';

/** The media type kubectl asks for so that the server renders its columns (server-side printing). */
const TABLE_MEDIA = { as: 'Table', v: 'v1', g: 'meta.k8s.io' } as const;

/** True when one of the Accept media ranges is `application/json;as=Table;v=v1;g=meta.k8s.io`. */
export const acceptsTable = (accept: string | undefined): boolean =>
  (accept ?? '').split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim());
    if (type !== 'application/json') return false;
    const params = new Map(parameters.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    return params.get('as') === TABLE_MEDIA.as && params.get('v') === TABLE_MEDIA.v && params.get('g') === TABLE_MEDIA.g;
  });

/** metav1 IncludeObjectPolicy: what each row carries besides its cells (upstream default: Metadata). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export const parseIncludeObject = (raw: unknown): IncludeObject => (raw === 'None' || raw === 'Object' ? raw : 'Metadata');

// k8s.io/kubernetes pkg/printers/internalversion printers.go, endpointSliceColumnDefinitions.
const COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'AddressType', type: 'string', format: '', description: 'addressType specifies the type of address carried by this EndpointSlice.', priority: 0 },
  { name: 'Ports', type: 'string', format: '', description: 'ports specifies the list of network ports exposed by each endpoint in this slice.', priority: 0 },
  { name: 'Endpoints', type: 'string', format: '', description: 'endpoints is a list of unique endpoints in this slice.', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
] as const;

const MAX_LISTED = 3;

// printers.go listWithMoreString.
const listWithMore = (values: readonly string[]): string => {
  const shown = values.slice(0, MAX_LISTED).join(',');
  if (values.length > MAX_LISTED) return `${shown} + ${values.length - MAX_LISTED} more...`;
  return shown === '' ? '<unset>' : shown;
};

// printers.go formatDiscoveryPorts lists the numbers (its name and "*" fallbacks are for the
// all-ports slices of selector-less Services, which this registry never writes).
export const formatPorts = (ports: KubernetesEndpointSlice['ports']): string => listWithMore(ports.map((port) => String(port.port)));

// printers.go formatDiscoveryEndpoints: every address of every endpoint.
export const formatEndpoints = (endpoints: KubernetesEndpointSlice['endpoints']): string =>
  listWithMore(endpoints.flatMap((endpoint) => endpoint.addresses));

/** apimachinery duration.HumanDuration, which kubectl's AGE column shows. */
export const humanDuration = (ms: number): string => {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
};

const rowObject = (slice: KubernetesEndpointSlice, include: IncludeObject) => {
  switch (include) {
    case 'None':
      return {};
    case 'Object':
      return { object: slice };
    case 'Metadata':
      return { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: slice.metadata } };
  }
};

export interface TableOptions {
  readonly now: number;
  readonly include: IncludeObject;
  /** Watch events after the first leave the columns out; kubectl reuses the last ones it saw. */
  readonly withColumns: boolean;
  readonly metadata?: { readonly resourceVersion: string; readonly continue?: string };
}

export const toEndpointSliceTable = (slices: readonly KubernetesEndpointSlice[], options: TableOptions) => ({
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  metadata: options.metadata ?? {},
  columnDefinitions: options.withColumns ? COLUMNS : [],
  rows: slices.map((slice) => ({
    cells: [
      slice.metadata.name,
      slice.addressType,
      formatPorts(slice.ports),
      formatEndpoints(slice.endpoints),
      humanDuration(options.now - Date.parse(slice.metadata.creationTimestamp)),
    ],
    ...rowObject(slice, options.include),
  })),
});
