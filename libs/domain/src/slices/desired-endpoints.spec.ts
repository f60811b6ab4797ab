import type { TrafficDistribution } from '../registry/model';
import { desiredEndpoints } from './desired-endpoints';
import { aService, anEndpoint } from './testing/builders';

describe('desiredEndpoints', () => {
  it('groups endpoints of one family by their resolved port set', () => {
    const groups = desiredEndpoints(
      aService({
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, appProtocol: 'dns' },
        ],
        endpoints: [
          anEndpoint({ id: 'b', addresses: ['10.0.0.2'] }),
          anEndpoint({ id: 'a', addresses: ['10.0.0.1'] }),
          anEndpoint({ id: 'c', addresses: ['10.0.0.3'], ports: [{ name: 'http', protocol: 'TCP', port: 9000 }] }),
          anEndpoint({ id: 'd', addresses: ['10.0.0.4'], ports: [{ name: 'http', protocol: 'UDP', port: 9000 }] }),
        ],
      }),
    );

    expect(groups.map((g) => ({ ports: g.ports, ids: g.endpoints.map((e) => e.targetRef.name) }))).toEqual([
      {
        ports: [
          { name: 'dns', protocol: 'UDP', port: 53, appProtocol: 'dns' },
          { name: 'http', protocol: 'TCP', port: 8080 },
        ],
        ids: ['a', 'b', 'd'],
      },
      {
        ports: [
          { name: 'dns', protocol: 'UDP', port: 53, appProtocol: 'dns' },
          { name: 'http', protocol: 'TCP', port: 9000 },
        ],
        ids: ['c'],
      },
    ]);
  });

  it('gives the same groups whatever the order of service ports and endpoint keys', () => {
    const ports = [
      { name: 'a', protocol: 'TCP', port: 1, targetPort: 1 },
      { name: 'b', protocol: 'TCP', port: 2, targetPort: 2 },
    ] as const;
    const endpoints = [anEndpoint({ id: 'x', addresses: ['10.0.0.1'] }), anEndpoint({ id: 'y', addresses: ['10.0.0.2'] })];

    expect(desiredEndpoints(aService({ ports: [...ports].reverse(), endpoints: [...endpoints].reverse() }))).toEqual(
      desiredEndpoints(aService({ ports, endpoints })),
    );
  });

  it('puts each endpoint in every family it has an address of, with only that family’s addresses', () => {
    const groups = desiredEndpoints(
      aService({
        addressTypes: ['IPv4', 'IPv6'],
        endpoints: [
          anEndpoint({ id: 'dual', addresses: ['10.0.0.1', 'fd00::1'] }),
          anEndpoint({ id: 'v4', addresses: ['10.0.0.2'] }),
        ],
      }),
    );

    expect(groups.map((g) => [g.addressType, g.endpoints.map((e) => e.addresses)])).toEqual([
      ['IPv4', [['10.0.0.1'], ['10.0.0.2']]],
      ['IPv6', [['fd00::1']]],
    ]);
  });

  it('classifies anything that is neither a dotted quad nor contains ":" as FQDN', () => {
    const groups = desiredEndpoints(
      aService({ addressTypes: ['FQDN'], endpoints: [anEndpoint({ id: 'db', addresses: ['db.example.com'] })] }),
    );

    expect(groups.map((g) => [g.addressType, g.endpoints[0]?.addresses])).toEqual([['FQDN', ['db.example.com']]]);
  });

  it('maps an instance to a slice endpoint with optional fields only when set', () => {
    const [group] = desiredEndpoints(
      aService({
        endpoints: [
          anEndpoint({
            id: 'i-1',
            addresses: ['10.0.0.1'],
            conditions: { ready: false, serving: true, terminating: true },
            hostname: 'web-0',
            nodeName: 'node-a',
            zone: 'zone-a',
          }),
          anEndpoint({ id: 'i-2', addresses: ['10.0.0.2'] }),
        ],
      }),
    );

    expect(group?.endpoints).toEqual([
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: false, serving: true, terminating: true },
        hostname: 'web-0',
        nodeName: 'node-a',
        zone: 'zone-a',
        targetRef: { kind: 'Instance', namespace: 'default', name: 'i-1' },
      },
      {
        addresses: ['10.0.0.2'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Instance', namespace: 'default', name: 'i-2' },
      },
    ]);
  });

  it('returns no group for a service without endpoints', () => {
    expect(desiredEndpoints(aService({ addressTypes: ['IPv4', 'IPv6'] }))).toEqual([]);
  });

  describe('hints (k8s trafficdist)', () => {
    const endpoints = [
      anEndpoint({ id: 'a-ready', addresses: ['10.0.0.1'], zone: 'zone-a', nodeName: 'node-a' }),
      anEndpoint({ id: 'b-no-zone', addresses: ['10.0.0.2'], nodeName: 'node-b' }),
      anEndpoint({
        id: 'c-not-ready',
        addresses: ['10.0.0.3'],
        zone: 'zone-c',
        nodeName: 'node-c',
        conditions: { ready: false, serving: false, terminating: false },
      }),
    ];

    it.each<[TrafficDistribution | undefined, unknown[]]>([
      [undefined, [undefined, undefined, undefined]],
      ['PreferClose', [{ forZones: [{ name: 'zone-a' }] }, undefined, undefined]],
      ['PreferSameZone', [{ forZones: [{ name: 'zone-a' }] }, undefined, undefined]],
      [
        'PreferSameNode',
        [{ forZones: [{ name: 'zone-a' }], forNodes: [{ name: 'node-a' }] }, { forNodes: [{ name: 'node-b' }] }, undefined],
      ],
    ])('trafficDistribution %s', (trafficDistribution, expected) => {
      const [group] = desiredEndpoints(aService({ endpoints, ...(trafficDistribution && { trafficDistribution }) }));

      expect(group?.endpoints.map((e) => e.hints)).toEqual(expected);
    });
  });
});
