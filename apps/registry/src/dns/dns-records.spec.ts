import { SERVICE_NAME_LABEL, type EndpointSlice, type SliceEndpoint } from '@lib/domain';
import { aReadyEndpoint, aServiceSlice } from '../slice-view/testing/slices';
import { DnsRecords, endpointLabel, parseName, type SliceLookup } from './dns-records';

const endpoint = aReadyEndpoint;
const notReady = { conditions: { ready: false, serving: true, terminating: true } };

const slice = (service: string, name: string, addressType: EndpointSlice['addressType'], endpoints: SliceEndpoint[], port = 8080): EndpointSlice =>
  aServiceSlice(service, name, endpoints, {
    addressType,
    ports: endpoints.length === 0 ? [] : [{ name: 'http', protocol: 'TCP', port }, { name: '', protocol: 'UDP', port: 53 }],
  });

const lookupOf = (slices: EndpointSlice[]): SliceLookup => ({
  slicesOf: (namespace, service) => slices.filter((s) => s.namespace === namespace && s.labels[SERVICE_NAME_LABEL] === service),
  serviceKeys: () => new Set(slices.map((s) => `${s.namespace}/${s.labels[SERVICE_NAME_LABEL]}`)),
  resourceVersion: 42n,
});

// web: two IPv4 endpoints (one with a hostname, one not ready) on port 8080 and one with 9090 in a
// second slice, one IPv6 endpoint; idle: a service with no endpoints (its placeholder slice);
// ext: an FQDN endpoint only.
const records = new DnsRecords(
  { zone: 'cluster.local', ttlSeconds: 5 },
  lookupOf([
    slice('web', 'web-a', 'IPv4', [endpoint(['10.0.0.1'], { hostname: 'web-0' }), endpoint(['10.0.0.2'], notReady)]),
    slice('web', 'web-b', 'IPv4', [endpoint(['10.0.0.3'])], 9090),
    slice('web', 'web-c', 'IPv6', [endpoint(['fd00::1'])]),
    slice('idle', 'idle-a', 'IPv4', []),
    slice('ext', 'ext-a', 'FQDN', [endpoint(['db.example.com'])]),
  ]),
);
const ask = (name: string, type: string) => records.answer({ name, type });
const data = (answer: ReturnType<typeof ask>) => answer.answers.map((a) => ('data' in a ? a.data : undefined));

describe('parseName', () => {
  it.each([
    ['web.shop.svc.cluster.local', { kind: 'service', namespace: 'shop', service: 'web' }],
    ['WEB.Shop.svc.cluster.local.', { kind: 'service', namespace: 'shop', service: 'web' }],
    ['_http._tcp.web.shop.svc.cluster.local', { kind: 'srv', namespace: 'shop', service: 'web', portName: 'http', protocol: 'tcp' }],
    ['web-0.web.shop.svc.cluster.local', { kind: 'endpoint', namespace: 'shop', service: 'web', label: 'web-0' }],
    ['_tcp.web.shop.svc.cluster.local', { kind: 'protocol', namespace: 'shop', service: 'web', protocol: 'tcp' }],
    ['shop.svc.cluster.local', { kind: 'namespace', namespace: 'shop' }],
    ['svc.cluster.local', { kind: 'svc' }],
    ['cluster.local', { kind: 'apex' }],
    ['web.shop.pod.cluster.local', 'unknown'],
    ['a.b._http._tcp.web.shop.svc.cluster.local', 'unknown'],
    ['example.com', undefined],
    ['notcluster.local', undefined],
  ])('%s', (name, expected) => {
    expect(parseName(name, 'cluster.local')).toEqual(expected);
  });
});

describe('endpointLabel', () => {
  it('is the hostname when set, else the address with dashes', () => {
    expect(endpointLabel(endpoint(['10.0.0.1'], { hostname: 'web-0' }), '10.0.0.1')).toBe('web-0');
    expect(endpointLabel(endpoint(['10.0.0.1']), '10.0.0.1')).toBe('10-0-0-1');
    expect(endpointLabel(endpoint(['fd00::1']), 'fd00::1')).toBe('fd00--1');
  });
});

describe('DnsRecords', () => {
  it('answers A and AAAA for a service with its ready addresses only, under the name as asked', () => {
    const a = ask('Web.shop.svc.cluster.local', 'A');
    expect(a).toMatchObject({ rcode: 'NOERROR', authoritative: true });
    expect(a.answers).toEqual([
      { type: 'A', name: 'Web.shop.svc.cluster.local', ttl: 5, data: '10.0.0.1' },
      { type: 'A', name: 'Web.shop.svc.cluster.local', ttl: 5, data: '10.0.0.3' },
    ]);
    expect(data(ask('web.shop.svc.cluster.local', 'AAAA'))).toEqual(['fd00::1']);
    expect(data(ask('web.shop.svc.cluster.local', 'ANY'))).toEqual(['10.0.0.1', '10.0.0.3', 'fd00::1']);
  });

  it('answers SRV per ready endpoint with its slice port, priority 0, equal weights, and the targets’ addresses as additionals', () => {
    const srv = ask('_http._tcp.web.shop.svc.cluster.local', 'SRV');
    expect(srv.rcode).toBe('NOERROR');
    expect(data(srv)).toEqual([
      { priority: 0, weight: 33, port: 8080, target: 'web-0.web.shop.svc.cluster.local' },
      { priority: 0, weight: 33, port: 9090, target: '10-0-0-3.web.shop.svc.cluster.local' },
      { priority: 0, weight: 33, port: 8080, target: 'fd00--1.web.shop.svc.cluster.local' },
    ]);
    expect(srv.additionals).toEqual([
      { type: 'A', name: 'web-0.web.shop.svc.cluster.local', ttl: 5, data: '10.0.0.1' },
      { type: 'A', name: '10-0-0-3.web.shop.svc.cluster.local', ttl: 5, data: '10.0.0.3' },
      { type: 'AAAA', name: 'fd00--1.web.shop.svc.cluster.local', ttl: 5, data: 'fd00::1' },
    ]);
  });

  it('answers the SRV targets on their own', () => {
    expect(data(ask('web-0.web.shop.svc.cluster.local', 'A'))).toEqual(['10.0.0.1']);
    expect(data(ask('10-0-0-3.web.shop.svc.cluster.local', 'A'))).toEqual(['10.0.0.3']);
    expect(data(ask('fd00--1.web.shop.svc.cluster.local', 'AAAA'))).toEqual(['fd00::1']);
  });

  it('answers an FQDN endpoint as a CNAME, and points its SRV record at the FQDN itself', () => {
    expect(ask('ext.shop.svc.cluster.local', 'A').answers).toEqual([{ type: 'CNAME', name: 'ext.shop.svc.cluster.local', ttl: 5, data: 'db.example.com' }]);
    expect(ask('db-example-com.ext.shop.svc.cluster.local', 'AAAA').answers).toMatchObject([{ type: 'CNAME', data: 'db.example.com' }]);
    const srv = ask('_http._tcp.ext.shop.svc.cluster.local', 'SRV');
    expect(data(srv)).toEqual([{ priority: 0, weight: 100, port: 8080, target: 'db.example.com' }]);
    expect(srv.additionals).toEqual([]);
  });

  it.each([
    ['a known service without records of that type', 'web.shop.svc.cluster.local', 'TXT'],
    ['an SRV name asked for A', '_http._tcp.web.shop.svc.cluster.local', 'A'],
    ['a service without endpoints', 'idle.shop.svc.cluster.local', 'A'],
    ['a namespace with services', 'shop.svc.cluster.local', 'A'],
    ['the protocol level of a named port', '_tcp.web.shop.svc.cluster.local', 'SRV'],
    ['the zone itself', 'cluster.local', 'A'],
  ])('NOERROR with no answer (NODATA) for %s, with the SOA for negative caching', (_, name, type) => {
    const answer = ask(name, type);
    expect(answer).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(answer.authorities).toMatchObject([{ type: 'SOA', name: 'cluster.local', ttl: 5, data: { serial: 42, minimum: 5 } }]);
  });

  it.each([
    ['an unknown service', 'nope.shop.svc.cluster.local', 'A'],
    ['an unknown namespace', 'web.other.svc.cluster.local', 'A'],
    ['an empty namespace', 'other.svc.cluster.local', 'A'],
    ['an endpoint that is not ready', '10-0-0-2.web.shop.svc.cluster.local', 'A'],
    ['an unknown endpoint', 'web-9.web.shop.svc.cluster.local', 'A'],
    ['an unnamed port', '_._udp.web.shop.svc.cluster.local', 'SRV'],
    ['an unknown port', '_grpc._tcp.web.shop.svc.cluster.local', 'SRV'],
    ['a port under another protocol', '_http._udp.web.shop.svc.cluster.local', 'SRV'],
    ['a name outside svc', 'web.shop.pod.cluster.local', 'A'],
  ])('NXDOMAIN for %s', (_, name, type) => {
    expect(ask(name, type)).toMatchObject({ rcode: 'NXDOMAIN', answers: [], authorities: [{ type: 'SOA' }] });
  });

  it('answers the zone’s SOA, and refuses names outside the zone', () => {
    expect(ask('cluster.local', 'SOA').answers).toMatchObject([{ type: 'SOA', data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local' } }]);
    expect(ask('example.com', 'A')).toEqual({ rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [] });
  });
});
