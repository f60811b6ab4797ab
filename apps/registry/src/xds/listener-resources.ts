import { HTTP_CONNECTION_MANAGER_TYPE_URL, ROUTER_TYPE_URL, TYPE_URLS, type XdsResource } from './resource-types';

const OVER_ADS = { ads: {}, resource_api_version: 'V3' };

/**
 * The listener a proxyless gRPC client resolves `xds:///<name>` to: an api_listener whose HTTP
 * connection manager fetches the route configuration of the same name over the same ADS stream.
 * gRPC requires the router filter, and requires it last.
 */
export const apiListener = (name: string): XdsResource => ({
  '@type': TYPE_URLS.LDS,
  name,
  api_listener: {
    api_listener: {
      '@type': HTTP_CONNECTION_MANAGER_TYPE_URL,
      stat_prefix: name,
      rds: { route_config_name: name, config_source: OVER_ADS },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE_URL } }],
    },
  },
});

/** One virtual host for any authority, sending every call to one cluster. */
export const routeEverythingTo = (name: string, cluster: string): XdsResource => ({
  '@type': TYPE_URLS.RDS,
  name,
  virtual_hosts: [{ name, domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster } }] }],
});
