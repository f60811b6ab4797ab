import { HTTP_CONNECTION_MANAGER_TYPE_URL, ROUTER_TYPE_URL, TYPE_URLS } from './resource-types';
import { NO_RESOURCES, serviceResources } from './service-resources';
import { aSlice, anEndpoint, tcp } from './testing/slices';

const routedCluster = (ports: ReturnType<typeof tcp>[]): unknown => {
  const route = serviceResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1')], ports)]).RDS.get('web.shop');
  return (route?.virtual_hosts as { routes: { route: { cluster: string } }[] }[])[0].routes[0].route.cluster;
};

describe('serviceResources', () => {
  it('gives the service a listener <service>.<namespace> for proxyless gRPC, with its routes over ADS and the router last', () => {
    const resources = serviceResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1')], [tcp('http', 8080)])]);
    expect([...resources.LDS.keys()]).toEqual(['web.shop']);
    expect(resources.LDS.get('web.shop')).toEqual({
      '@type': TYPE_URLS.LDS,
      name: 'web.shop',
      api_listener: {
        api_listener: {
          '@type': HTTP_CONNECTION_MANAGER_TYPE_URL,
          stat_prefix: 'web.shop',
          rds: { route_config_name: 'web.shop', config_source: { ads: {}, resource_api_version: 'V3' } },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE_URL } }],
        },
      },
    });
    expect(resources.RDS.get('web.shop')).toEqual({
      '@type': TYPE_URLS.RDS,
      name: 'web.shop',
      virtual_hosts: [{ name: 'web.shop', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: 'shop/web/http' } }] }],
    });
    expect([...resources.CDS.keys()]).toEqual(['shop/web/http']);
    expect([...resources.EDS.keys()]).toEqual(['shop/web/http']);
  });

  it('routes to the port named grpc, else to the first TCP port', () => {
    expect(routedCluster([tcp('http', 80), tcp('grpc', 9090)])).toBe('shop/web/grpc');
    expect(routedCluster([tcp('http', 80), tcp('admin', 9090)])).toBe('shop/web/http');
    expect(routedCluster([{ name: 'dns', protocol: 'UDP', port: 53 }, tcp('admin', 9090)])).toBe('shop/web/admin');
  });

  it('has nothing for a service whose slices carry no port (only the placeholder)', () => {
    expect(serviceResources('shop', 'web', [aSlice('web-1', [], [])])).toBe(NO_RESOURCES);
  });

  it('has clusters but no listener when no port speaks TCP', () => {
    const resources = serviceResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1')], [{ name: 'dns', protocol: 'UDP', port: 53 }])]);
    expect(resources.LDS.size + resources.RDS.size).toBe(0);
    expect([...resources.CDS.keys()]).toEqual(['shop/web/dns']);
  });
});
