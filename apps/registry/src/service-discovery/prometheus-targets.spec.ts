import { SERVICE_NAME_LABEL, type EndpointSlice, type SliceEndpoint } from '@lib/domain';
import { toPrometheusTargetGroups } from './prometheus-targets';

const endpoint = (id: string, addresses: string[], overrides: Partial<SliceEndpoint> = {}): SliceEndpoint => ({
  addresses,
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Instance', namespace: 'shop', name: id },
  ...overrides,
});

const aSlice = (name: string, addressType: EndpointSlice['addressType'], endpoints: SliceEndpoint[]): EndpointSlice =>
  Object.freeze({
    namespace: 'shop',
    name,
    uid: name,
    labels: { [SERVICE_NAME_LABEL]: 'web' },
    annotations: {},
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    addressType,
    endpoints,
    ports: [
      { name: 'http', protocol: 'TCP' as const, port: 8080 },
      { name: 'metrics', protocol: 'TCP' as const, port: 9100 },
    ],
  });

describe('toPrometheusTargetGroups', () => {
  // The IPv6 slice first, as its generated name may sort: the targets still come out in one order.
  const slices = [
    aSlice('web-b2c4d', 'IPv6', [endpoint('a', ['fd00::1'], { zone: 'z1', nodeName: 'n1', hostname: 'a-host' })]),
    aSlice('web-x7z9q', 'IPv4', [
      endpoint('a', ['10.0.0.1'], { zone: 'z1', nodeName: 'n1', hostname: 'a-host' }),
      endpoint('b', ['10.0.0.2'], { conditions: { ready: false, serving: true, terminating: true } }),
    ]),
  ];

  it('gives one group per ready endpoint and port, dual-stack addresses together, IPv6 in brackets', () => {
    expect(toPrometheusTargetGroups(slices)).toEqual([
      {
        targets: ['10.0.0.1:8080', '[fd00::1]:8080'],
        labels: {
          __meta_registry_namespace: 'shop',
          __meta_registry_service: 'web',
          __meta_registry_endpoint: 'a',
          __meta_registry_port_name: 'http',
          __meta_registry_zone: 'z1',
          __meta_registry_node_name: 'n1',
          __meta_registry_hostname: 'a-host',
        },
      },
      expect.objectContaining({ targets: ['10.0.0.1:9100', '[fd00::1]:9100'] }),
    ]);
  });

  it('keeps only the named port, and leaves out labels that are not set', () => {
    const bare = [aSlice('web-x', 'IPv4', [endpoint('c', ['10.0.0.3'])])];
    expect(toPrometheusTargetGroups(bare, 'metrics')).toEqual([
      { targets: ['10.0.0.3:9100'], labels: { __meta_registry_namespace: 'shop', __meta_registry_service: 'web', __meta_registry_endpoint: 'c', __meta_registry_port_name: 'metrics' } },
    ]);
    expect(toPrometheusTargetGroups(bare, 'grpc')).toEqual([]);
  });
});
