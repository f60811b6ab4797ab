import { dirname, join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The ADS service and every resource type it carries, so that protobufjs can pack a resource
 * object with an `@type` into its google.protobuf.Any. The protos are the Envoy, xds, googleapis
 * and validate files @grpc/grpc-js-xds ships under deps/ (the ones its own client decodes with).
 */
const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
];

const PROTO_ROOTS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'];

const SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** Loads the protos (about a second, once per process: only when xDS is on). */
export const loadAdsService = (): ServiceDefinition => {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const definition = loadSync(PROTO_FILES, {
    keepCase: true,
    longs: String,
    enums: String,
    oneofs: true,
    includeDirs: PROTO_ROOTS.map((root) => join(deps, root)),
  });
  return definition[SERVICE] as ServiceDefinition;
};
