import { healthStatus, portResources } from './endpoint-resources';
import { TYPE_URLS } from './resource-types';
import { aSlice, anEndpoint, tcp } from './testing/slices';

const socket = (address: string, port: number) => ({ address: { socket_address: { protocol: 'TCP', address, port_value: port } } });

describe('healthStatus', () => {
  it.each([
    [{ ready: true, serving: true, terminating: false }, 'HEALTHY'],
    [{ ready: true, serving: true, terminating: true }, 'HEALTHY'],
    [{ ready: false, serving: true, terminating: true }, 'DRAINING'],
    [{ ready: false, serving: false, terminating: true }, 'UNHEALTHY'],
    [{ ready: false, serving: true, terminating: false }, 'UNHEALTHY'],
    [{ ready: false, serving: false, terminating: false }, 'UNHEALTHY'],
  ])('%p is %s', (conditions, expected) => {
    expect(healthStatus(conditions)).toBe(expected);
  });
});

describe('portResources', () => {
  it('gives each port an EDS cluster over ADS and its load assignment, named namespace/service/port', () => {
    const [http, grpc] = portResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1')], [tcp('http', 8080), tcp('grpc', 9090)])]);
    expect(http.cluster).toEqual({
      '@type': TYPE_URLS.CDS,
      name: 'shop/web/http',
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      lb_policy: 'ROUND_ROBIN',
    });
    expect(http.loadAssignment).toEqual({
      '@type': TYPE_URLS.EDS,
      cluster_name: 'shop/web/http',
      endpoints: [{ locality: {}, priority: 0, load_balancing_weight: { value: 1 }, lb_endpoints: [{ health_status: 'HEALTHY', endpoint: socket('10.0.0.1', 8080) }] }],
    });
    expect(grpc.name).toBe('shop/web/grpc');
    expect(grpc.loadAssignment.endpoints).toEqual([expect.objectContaining({ lb_endpoints: [{ health_status: 'HEALTHY', endpoint: socket('10.0.0.1', 9090) }] })]);
  });

  it('names an unnamed port by its number', () => {
    expect(portResources('shop', 'web', [aSlice('web-1', [anEndpoint('10.0.0.1')], [tcp('', 80)])]).map((p) => p.name)).toEqual(['shop/web/80']);
  });

  it('groups endpoints into localities by zone, weighted by their healthy endpoints (at least 1)', () => {
    const slices = [
      aSlice('web-1', [
        anEndpoint('10.0.0.3', { zone: 'b' }),
        anEndpoint('10.0.0.1', { zone: 'a' }),
        anEndpoint('10.0.0.2', { zone: 'a', conditions: { ready: false, serving: true, terminating: true } }),
      ], [tcp('http', 80)]),
      aSlice('web-2', [anEndpoint('10.0.0.4', { zone: 'a' }), anEndpoint('10.0.0.5', { zone: 'c', conditions: { ready: false, serving: false, terminating: false } })], [tcp('http', 80)]),
    ];
    const [http] = portResources('shop', 'web', slices);
    expect(http.loadAssignment.endpoints).toEqual([
      {
        locality: { zone: 'a' },
        priority: 0,
        load_balancing_weight: { value: 2 },
        lb_endpoints: [
          { health_status: 'HEALTHY', endpoint: socket('10.0.0.1', 80) },
          { health_status: 'DRAINING', endpoint: socket('10.0.0.2', 80) },
          { health_status: 'HEALTHY', endpoint: socket('10.0.0.4', 80) },
        ],
      },
      { locality: { zone: 'b' }, priority: 0, load_balancing_weight: { value: 1 }, lb_endpoints: [{ health_status: 'HEALTHY', endpoint: socket('10.0.0.3', 80) }] },
      { locality: { zone: 'c' }, priority: 0, load_balancing_weight: { value: 1 }, lb_endpoints: [{ health_status: 'UNHEALTHY', endpoint: socket('10.0.0.5', 80) }] },
    ]);
  });

  it('takes the first address of each endpoint and both families of a dual-stack service', () => {
    const slices = [
      aSlice('web-4', [anEndpoint('10.0.0.1', { addresses: ['10.0.0.1', '10.0.0.9'] })], [tcp('http', 80)]),
      aSlice('web-6', [anEndpoint('fd00::1')], [tcp('http', 80)], 'IPv6'),
    ];
    const addresses = (portResources('shop', 'web', slices)[0].loadAssignment.endpoints as { lb_endpoints: { endpoint: unknown }[] }[]).flatMap((l) =>
      l.lb_endpoints.map((e) => e.endpoint),
    );
    expect(addresses).toEqual([socket('10.0.0.1', 80), socket('fd00::1', 80)]);
  });

  it('keeps an address listed twice once, at its best health (clients refuse duplicates)', () => {
    const slices = [
      aSlice('web-1', [anEndpoint('10.0.0.1', { hostname: 'old', conditions: { ready: false, serving: false, terminating: true } })], [tcp('http', 80)]),
      aSlice('web-2', [anEndpoint('10.0.0.1', { hostname: 'new' })], [tcp('http', 80)]),
    ];
    const [http] = portResources('shop', 'web', slices);
    expect(http.loadAssignment.endpoints).toEqual([expect.objectContaining({ lb_endpoints: [{ health_status: 'HEALTHY', endpoint: socket('10.0.0.1', 80) }] })]);
  });

  it('leaves out FQDN slices, SCTP ports and the portless placeholder; marks UDP ports', () => {
    const slices = [
      aSlice('web-0', [], []),
      aSlice('web-1', [anEndpoint('db.example.com')], [tcp('http', 80)], 'FQDN'),
      aSlice('web-2', [anEndpoint('10.0.0.1')], [{ name: 'sig', protocol: 'SCTP', port: 3868 }, { name: 'dns', protocol: 'UDP', port: 53 }]),
    ];
    const ports = portResources('shop', 'web', slices);
    expect(ports.map((p) => p.name)).toEqual(['shop/web/dns']);
    expect(ports[0].loadAssignment.endpoints).toEqual([
      expect.objectContaining({ lb_endpoints: [{ health_status: 'HEALTHY', endpoint: { address: { socket_address: { protocol: 'UDP', address: '10.0.0.1', port_value: 53 } } } }] }),
    ]);
  });
});
