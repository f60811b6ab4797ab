import type { RegisterEndpointInput } from '../registry/inputs';
import type { ServiceDefinition } from '../registry/model';
import { validateEndpointInput } from './endpoint-input';
import { domainErrorOf } from '../testing/domain-error';
import { deepFreeze } from '../testing/deep-freeze';

const aService = (overrides: Partial<ServiceDefinition> = {}): ServiceDefinition =>
  deepFreeze({
    namespace: 'default',
    name: 'foo',
    labels: {},
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
    ],
    addressTypes: ['IPv4'],
    ...overrides,
  });

const anEndpointInput = (overrides: Partial<RegisterEndpointInput> = {}): RegisterEndpointInput =>
  deepFreeze({ serviceName: 'foo', addresses: ['10.0.0.1'], ...overrides });

const dualStack = aService({ addressTypes: ['IPv4', 'IPv6'] });
const fqdnService = aService({ addressTypes: ['FQDN'] });

describe('validateEndpointInput', () => {
  it('applies the defaults: id = first address, serving, not terminating, ready, no ports, no lease', () => {
    expect(validateEndpointInput(anEndpointInput(), aService())).toEqual({
      id: '10.0.0.1',
      addresses: ['10.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      ports: [],
    });
  });

  it('writes its keys in one order whatever the input order, leaving absent ones out (the event JSON is stable)', () => {
    const input = anEndpointInput({ ttlSeconds: 30, ports: [{ name: 'http', protocol: 'TCP', port: 8080 }], zone: 'z1', hostname: 'web-1', namespace: 'default' });
    expect(Object.keys(validateEndpointInput(input, aService()))).toEqual(['id', 'addresses', 'conditions', 'hostname', 'zone', 'ports', 'ttlSeconds', 'deregisterAfterSeconds']);
    expect(Object.keys(validateEndpointInput(anEndpointInput({ zone: '', nodeName: 'node-1' }), aService()))).toEqual(['id', 'addresses', 'conditions', 'nodeName', 'ports']);
  });

  it('keeps every given field and canonicalizes addresses', () => {
    const input = anEndpointInput({
      namespace: 'default',
      id: 'vm-17_a:b.c',
      addresses: ['2001:DB8::0001', '10.0.0.1'],
      conditions: { serving: false },
      hostname: 'vm-17',
      nodeName: 'rack-1.dc-2',
      zone: 'eu-west-1a',
      ports: [{ name: 'http', port: 9090 }, { name: 'dns', protocol: 'UDP', port: 5353 }],
      ttlSeconds: 30,
      deregisterAfterSeconds: 600,
    });
    expect(validateEndpointInput(input, dualStack)).toEqual({
      id: 'vm-17_a:b.c',
      addresses: ['2001:db8::1', '10.0.0.1'],
      conditions: { ready: false, serving: false, terminating: false },
      hostname: 'vm-17',
      nodeName: 'rack-1.dc-2',
      zone: 'eu-west-1a',
      ports: [
        { name: 'http', protocol: 'TCP', port: 9090 },
        { name: 'dns', protocol: 'UDP', port: 5353 },
      ],
      ttlSeconds: 30,
      deregisterAfterSeconds: 600,
    });
  });

  it('defaults the id to the first canonical address', () => {
    const input = anEndpointInput({ addresses: ['2001:0DB8:0:0:0:0:0:0001'] });
    expect(validateEndpointInput(input, aService({ addressTypes: ['IPv6'] })).id).toBe('2001:db8::1');
  });

  it('stores FQDNs lower case without the trailing dot', () => {
    const input = anEndpointInput({ addresses: ['Foo.Example.COM.'] });
    expect(validateEndpointInput(input, fqdnService)).toMatchObject({ id: 'foo.example.com', addresses: ['foo.example.com'] });
  });

  it('defaults deregisterAfterSeconds to 3 x ttlSeconds', () => {
    expect(validateEndpointInput(anEndpointInput({ ttlSeconds: 20 }), aService())).toMatchObject({
      ttlSeconds: 20,
      deregisterAfterSeconds: 60,
    });
  });

  it('treats null optional fields like omitted ones, and an empty zone as no zone', () => {
    const input = anEndpointInput({
      namespace: null,
      id: null,
      conditions: null,
      hostname: null,
      nodeName: null,
      zone: '',
      ports: null,
      ttlSeconds: null,
      deregisterAfterSeconds: null,
    });
    expect(validateEndpointInput(input, aService())).toEqual({
      id: '10.0.0.1',
      addresses: ['10.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      ports: [],
    });
  });

  it('accepts 100 addresses', () => {
    const addresses = Array.from({ length: 100 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    expect(validateEndpointInput(anEndpointInput({ addresses }), aService()).addresses).toHaveLength(100);
  });

  it('matches an unnamed service port', () => {
    const service = aService({ ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }] });
    const input = anEndpointInput({ ports: [{ port: 8081 }] });
    expect(validateEndpointInput(input, service).ports).toEqual([{ name: '', protocol: 'TCP', port: 8081 }]);
  });

  it('names the field and the rule in the error message', () => {
    const error = domainErrorOf(() => validateEndpointInput(anEndpointInput({ addresses: ['127.0.0.1'] }), aService(), 'inputs[3]'));
    expect(error.field).toBe('inputs[3].addresses[0]');
    expect(error.message).toBe(`inputs[3].addresses[0]: ${error.rule}`);
    expect(error.message).toContain('loopback');
  });

  it.each<[string, Partial<RegisterEndpointInput>, ServiceDefinition, string, RegExp]>([
    ['invalid namespace', { namespace: 'A' }, aService(), 'input.namespace', /DNS-1123 label/],
    ['invalid serviceName', { serviceName: '9foo' }, aService(), 'input.serviceName', /DNS-1035 label/],
    ['another service', { serviceName: 'bar' }, aService(), 'input.serviceName', /default\/foo/],
    ['another namespace', { namespace: 'shop' }, aService(), 'input.namespace', /default\/foo/],
    ['no addresses', { addresses: [] }, aService(), 'input.addresses', /at least 1 address/],
    [
      '101 addresses',
      { addresses: Array.from({ length: 101 }, (_, i) => `10.1.0.${i + 1}`) },
      aService(),
      'input.addresses',
      /at most 100 addresses/,
    ],
    ['an invalid address', { addresses: ['10.0.0.1', '001.2.3.4'] }, aService(), 'input.addresses[1]', /leading 0s/],
    ['an IPv4-mapped address', { addresses: ['::ffff:1.2.3.4'] }, dualStack, 'input.addresses[0]', /IPv4-mapped/],
    ['a non-address', { addresses: ['not an address'] }, aService(), 'input.addresses[0]', /fully qualified domain name/],
    [
      'an IPv6 address for an IPv4-only service',
      { addresses: ['2001:db8::1'] },
      aService(),
      'input.addresses[0]',
      /service default\/foo serves \[IPv4\]; register it with addressTypes \[IPv4, IPv6\] to serve IPv6 addresses/,
    ],
    [
      'an IPv4 address for an IPv6-only service',
      { addresses: ['10.0.0.1'] },
      aService({ addressTypes: ['IPv6'] }),
      'input.addresses[0]',
      /serves \[IPv6\]; register it with addressTypes \[IPv6, IPv4\] to serve IPv4 addresses/,
    ],
    ['an FQDN for an IP service', { addresses: ['a.example.com'] }, dualStack, 'input.addresses[0]', /serves \[IPv4, IPv6\]; FQDN addresses need .*\[FQDN\]/],
    ['an IP for an FQDN service', { addresses: ['10.0.0.1'] }, fqdnService, 'input.addresses[0]', /serves \[FQDN\]; IPv4 addresses need .*\[IPv4\]/],
    ['a duplicate address', { addresses: ['10.0.0.1', '10.0.0.1'] }, aService(), 'input.addresses[1]', /Duplicate value: "10.0.0.1"/],
    [
      'the same IPv6 address in two spellings',
      { addresses: ['2001:db8::1', '2001:DB8:0::1'] },
      dualStack,
      'input.addresses[1]',
      /Duplicate value: "2001:db8::1"/,
    ],
    ['an empty id', { id: '' }, aService(), 'input.id', /endpoint id/],
    ['an id with a slash', { id: 'a/b' }, aService(), 'input.id', /letters, digits, '-', '.', '_' or ':'/],
    ['an id longer than 253', { id: 'a'.repeat(254) }, aService(), 'input.id', /1 to 253/],
    ['hostname not a DNS-1123 label', { hostname: 'vm.17' }, aService(), 'input.hostname', /hostname must be a DNS-1123 label/],
    ['nodeName not a DNS-1123 subdomain', { nodeName: 'Node_1' }, aService(), 'input.nodeName', /nodeName must be a DNS-1123 subdomain/],
    ['zone not a label value', { zone: 'eu west' }, aService(), 'input.zone', /zone must be a label value/],
    ['ready while terminating', { conditions: { ready: true, terminating: true } }, aService(), 'input.conditions.ready', /terminating/],
    ['port name not a DNS-1123 label', { ports: [{ name: 'HTTP', port: 1 }] }, aService(), 'input.ports[0].name', /DNS-1123 label/],
    ['unknown protocol', { ports: [{ name: 'http', protocol: 'QUIC', port: 1 }] }, aService(), 'input.ports[0].protocol', /Unsupported value: "QUIC"/],
    ['port 0', { ports: [{ name: 'http', port: 0 }] }, aService(), 'input.ports[0].port', /between 1 and 65535/],
    ['port 65536', { ports: [{ name: 'http', port: 65536 }] }, aService(), 'input.ports[0].port', /between 1 and 65535/],
    [
      'a port no service port has',
      { ports: [{ name: 'grpc', port: 9000 }] },
      aService(),
      'input.ports[0]',
      /must match a service port by name and protocol: no "grpc"\/TCP; service default\/foo has ports \["http"\/TCP, "dns"\/UDP\]/,
    ],
    [
      'a service port name with the wrong protocol',
      { ports: [{ name: 'dns', port: 5353 }] },
      aService(),
      'input.ports[0]',
      /no "dns"\/TCP/,
    ],
    [
      'a port for a service without ports',
      { ports: [{ port: 80 }] },
      aService({ ports: [] }),
      'input.ports[0]',
      /service default\/foo has no ports/,
    ],
    [
      'the same port twice',
      { ports: [{ name: 'http', port: 1 }, { name: 'http', port: 2 }] },
      aService(),
      'input.ports[1]',
      /Duplicate value: "http"\/TCP/,
    ],
    ['ttlSeconds 0', { ttlSeconds: 0 }, aService(), 'input.ttlSeconds', /between 1 and 3600/],
    ['ttlSeconds 3601', { ttlSeconds: 3601 }, aService(), 'input.ttlSeconds', /between 1 and 3600/],
    ['deregisterAfterSeconds without ttlSeconds', { deregisterAfterSeconds: 60 }, aService(), 'input.deregisterAfterSeconds', /only be set together with ttlSeconds/],
    ['deregisterAfterSeconds 0', { ttlSeconds: 10, deregisterAfterSeconds: 0 }, aService(), 'input.deregisterAfterSeconds', /between 1 and 86400/],
    ['deregisterAfterSeconds 86401', { ttlSeconds: 10, deregisterAfterSeconds: 86401 }, aService(), 'input.deregisterAfterSeconds', /between 1 and 86400/],
  ])('rejects %s', (_case, overrides, service, field, rule) => {
    const error = domainErrorOf(() => validateEndpointInput(anEndpointInput(overrides), service));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.rule).toMatch(rule);
  });
});
