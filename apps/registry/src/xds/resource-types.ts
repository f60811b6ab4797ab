/** The four resource types a proxyless gRPC client (and Envoy over ADS) asks for. */
export type XdsType = 'LDS' | 'RDS' | 'CDS' | 'EDS';

export const XDS_TYPES: readonly XdsType[] = ['LDS', 'RDS', 'CDS', 'EDS'];

export const TYPE_URLS = {
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const satisfies Readonly<Record<XdsType, string>>;

export const HTTP_CONNECTION_MANAGER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const BY_URL = new Map<string, XdsType>(Object.entries(TYPE_URLS).map(([type, url]) => [url, type as XdsType]));

export const xdsTypeOf = (typeUrl: string): XdsType | undefined => BY_URL.get(typeUrl);

/**
 * In the state-of-the-world protocol, Listener and Cluster responses carry every subscribed
 * resource (a missing one is deleted) and an empty first request subscribes to all of them.
 */
export const isFullStateType = (type: XdsType): boolean => type === 'LDS' || type === 'CDS';

/**
 * A resource as @grpc/proto-loader's serializer takes it: protobufjs packs an object with an
 * `@type` into a google.protobuf.Any of that type (looked up in the loaded protos).
 */
export interface XdsResource {
  readonly '@type': string;
  readonly name?: string;
  readonly cluster_name?: string;
  readonly [field: string]: unknown;
}
