import type { RegisterServiceInput } from '../registry/inputs';
import { validateServiceInput } from './service-input';
import { domainErrorOf } from '../testing/domain-error';
import { deepFreeze } from '../testing/deep-freeze';

const aServiceInput = (overrides: Partial<RegisterServiceInput> = {}): RegisterServiceInput =>
  deepFreeze({ name: 'foo', ports: [{ name: 'http', port: 80 }], ...overrides });

describe('validateServiceInput', () => {
  it('applies the defaults: namespace "default", TCP, targetPort = port, addressTypes [IPv4], no labels', () => {
    expect(validateServiceInput(aServiceInput())).toEqual({
      namespace: 'default',
      name: 'foo',
      labels: {},
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
      addressTypes: ['IPv4'],
    });
  });

  it('keeps every given field', () => {
    const input = aServiceInput({
      namespace: 'shop',
      labels: { 'example.com/tier': 'web', app: '' },
      ports: [
        { name: 'grpc', protocol: 'TCP', port: 9000, targetPort: 9443, appProtocol: 'kubernetes.io/h2c' },
        { name: '', protocol: 'UDP', port: 53 },
      ],
      addressTypes: ['IPv6', 'IPv4'],
      trafficDistribution: 'PreferClose',
    });
    expect(validateServiceInput(input)).toEqual({
      namespace: 'shop',
      name: 'foo',
      labels: { app: '', 'example.com/tier': 'web' },
      ports: [
        { name: 'grpc', protocol: 'TCP', port: 9000, targetPort: 9443, appProtocol: 'kubernetes.io/h2c' },
        { name: '', protocol: 'UDP', port: 53, targetPort: 53 },
      ],
      addressTypes: ['IPv6', 'IPv4'],
      trafficDistribution: 'PreferClose',
    });
  });

  it('treats null optional fields like omitted ones', () => {
    const input = aServiceInput({
      namespace: null,
      labels: null,
      ports: [{ name: null, protocol: null, port: 80, targetPort: null, appProtocol: null }],
      addressTypes: null,
      trafficDistribution: null,
    });
    expect(validateServiceInput(input)).toEqual({
      namespace: 'default',
      name: 'foo',
      labels: {},
      ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }],
      addressTypes: ['IPv4'],
    });
  });

  it('accepts a service without ports (headless style)', () => {
    expect(validateServiceInput(aServiceInput({ ports: [] })).ports).toEqual([]);
  });

  it('silently drops reserved label keys, as Kubernetes never copies them onto slices', () => {
    const labels = {
      'kubernetes.io/service-name': 'other',
      'endpointslice.kubernetes.io/managed-by': 'me',
      'service.kubernetes.io/headless': '',
      app: 'web',
    };
    expect(validateServiceInput(aServiceInput({ labels })).labels).toEqual({ app: 'web' });
  });

  it.each([
    ['FQDN alone', ['FQDN'], ['FQDN']],
    ['IPv6 alone', ['IPv6'], ['IPv6']],
    ['dual stack', ['IPv4', 'IPv6'], ['IPv4', 'IPv6']],
  ])('accepts addressTypes: %s', (_case, addressTypes, expected) => {
    expect(validateServiceInput(aServiceInput({ addressTypes })).addressTypes).toEqual(expected);
  });

  it('accepts the largest port and targetPort', () => {
    const input = aServiceInput({ ports: [{ port: 65535, targetPort: 1 }] });
    expect(validateServiceInput(input).ports).toEqual([{ name: '', protocol: 'TCP', port: 65535, targetPort: 1 }]);
  });

  it('names the field and the rule in the error message', () => {
    const error = domainErrorOf(() => validateServiceInput(aServiceInput({ name: 'Foo' })));
    expect(error.message).toBe(`input.name: ${error.rule}`);
    expect(error.message).toContain('DNS-1035 label');
  });

  it('uses the given field prefix', () => {
    expect(domainErrorOf(() => validateServiceInput(aServiceInput({ name: 'Foo' }), 'service')).field).toBe('service.name');
  });

  it.each<[string, Partial<RegisterServiceInput>, string, RegExp]>([
    ['namespace not a DNS-1123 label', { namespace: 'My_NS' }, 'input.namespace', /DNS-1123 label/],
    ['empty namespace', { namespace: '' }, 'input.namespace', /DNS-1123 label/],
    ['namespace too long', { namespace: 'a'.repeat(64) }, 'input.namespace', /at most 63 characters/],
    ['name starting with a digit', { name: '1foo' }, 'input.name', /DNS-1035 label.*starting with a letter/],
    ['name too long', { name: 'a'.repeat(64) }, 'input.name', /DNS-1035 label/],
    ['label key not a qualified name', { labels: { 'a b': 'x' } }, 'input.labels["a b"]', /label key must be a qualified name/],
    ['label key with an empty prefix', { labels: { '/a': 'x' } }, 'input.labels["/a"]', /qualified name/],
    ['label value not a label value', { labels: { app: 'a b' } }, 'input.labels["app"]', /must be a label value/],
    ['label value too long', { labels: { app: 'a'.repeat(64) } }, 'input.labels["app"]', /at most 63/],
    ['label value not a string', { labels: { app: 1 } }, 'input.labels["app"]', /must be a string/],
    ['labels not an object', { labels: ['a'] as unknown as Record<string, unknown> }, 'input.labels', /object/],
    ['port name not a DNS-1123 label', { ports: [{ name: 'HTTP', port: 80 }] }, 'input.ports[0].name', /port name must be a DNS-1123 label/],
    ['port name longer than 63', { ports: [{ name: 'a'.repeat(64), port: 80 }] }, 'input.ports[0].name', /DNS-1123 label/],
    [
      'two unnamed ports',
      { ports: [{ port: 80 }, { port: 81 }] },
      'input.ports[1].name',
      /Duplicate value: "".*including the empty name/,
    ],
    [
      'duplicate port names',
      { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] },
      'input.ports[1].name',
      /Duplicate value: "a"/,
    ],
    [
      'duplicate port and protocol',
      { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] },
      'input.ports[1]',
      /Duplicate value: 80\/TCP/,
    ],
    ['unknown protocol', { ports: [{ port: 80, protocol: 'tcp' }] }, 'input.ports[0].protocol', /Unsupported value: "tcp".*"TCP", "UDP", "SCTP"/],
    ['port 0', { ports: [{ port: 0 }] }, 'input.ports[0].port', /between 1 and 65535/],
    ['port 65536', { ports: [{ port: 65536 }] }, 'input.ports[0].port', /between 1 and 65535/],
    ['fractional port', { ports: [{ port: 80.5 }] }, 'input.ports[0].port', /integer/],
    ['targetPort 0', { ports: [{ port: 80, targetPort: 0 }] }, 'input.ports[0].targetPort', /between 1 and 65535/],
    ['targetPort 65536', { ports: [{ port: 80, targetPort: 65536 }] }, 'input.ports[0].targetPort', /between 1 and 65535/],
    ['appProtocol not a qualified name', { ports: [{ port: 80, appProtocol: 'h2c/' }] }, 'input.ports[0].appProtocol', /appProtocol must be a qualified name/],
    ['empty appProtocol', { ports: [{ port: 80, appProtocol: '' }] }, 'input.ports[0].appProtocol', /qualified name/],
    [
      'more than 20000 ports',
      { ports: Array.from({ length: 20001 }, (_, i) => ({ name: `p${i}`, port: (i % 65535) + 1 })) },
      'input.ports',
      /at most 20000/,
    ],
    ['empty addressTypes', { addressTypes: [] }, 'input.addressTypes', /at least one address type/],
    ['unknown addressType', { addressTypes: ['IP'] }, 'input.addressTypes[0]', /Unsupported value: "IP"/],
    ['duplicate addressType', { addressTypes: ['IPv4', 'IPv4'] }, 'input.addressTypes[1]', /Duplicate value: "IPv4"/],
    ['FQDN with IPv4', { addressTypes: ['FQDN', 'IPv4'] }, 'input.addressTypes', /FQDN cannot be combined with IPv4 or IPv6/],
    ['FQDN with IPv6', { addressTypes: ['IPv6', 'FQDN'] }, 'input.addressTypes', /FQDN cannot be combined/],
    ['unknown trafficDistribution', { trafficDistribution: 'Random' }, 'input.trafficDistribution', /Unsupported value: "Random".*"PreferClose"/],
  ])('rejects %s', (_case, overrides, field, rule) => {
    const error = domainErrorOf(() => validateServiceInput(aServiceInput(overrides)));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.rule).toMatch(rule);
  });

  it('accepts exactly 20000 ports', () => {
    const ports = Array.from({ length: 20000 }, (_, i) => ({ name: `p${i}`, port: (i % 65535) + 1 }));
    expect(validateServiceInput(aServiceInput({ ports })).ports).toHaveLength(20000);
  });
});
