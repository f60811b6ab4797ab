import { validateEndpointId, validateNamespace, validateServiceName } from './identifiers';
import { domainErrorOf } from '../testing/domain-error';

describe('identifiers', () => {
  it.each([
    ['a namespace', () => validateNamespace('shop', 'namespace'), 'shop'],
    ['a null namespace as "default"', () => validateNamespace(null, 'namespace'), 'default'],
    ['an omitted namespace as "default"', () => validateNamespace(undefined, 'namespace'), 'default'],
    ['a namespace starting with a digit', () => validateNamespace('1shop', 'namespace'), '1shop'],
    ['a service name', () => validateServiceName('foo-1', 'name'), 'foo-1'],
    ['an IPv6 endpoint id', () => validateEndpointId('2001:db8::1', 'id'), '2001:db8::1'],
    ['a mixed-case endpoint id', () => validateEndpointId('VM_17.a-b', 'id'), 'VM_17.a-b'],
    ['a 253-character endpoint id', () => validateEndpointId('a'.repeat(253), 'id'), 'a'.repeat(253)],
  ])('accepts %s', (_case, run, expected) => {
    expect(run()).toBe(expected);
  });

  it.each([
    ['an upper-case namespace', () => validateNamespace('Shop', 'namespace'), 'namespace', /DNS-1123 label/],
    ['an empty namespace', () => validateNamespace('', 'namespace'), 'namespace', /DNS-1123 label/],
    ['a service name starting with a digit', () => validateServiceName('1foo', 'name'), 'name', /DNS-1035 label/],
    ['a service name with a dot', () => validateServiceName('foo.bar', 'name'), 'name', /DNS-1035 label/],
    ['an endpoint id with a space', () => validateEndpointId('a b', 'ids[2]'), 'ids[2]', /endpoint id/],
    ['an empty endpoint id', () => validateEndpointId('', 'id'), 'id', /1 to 253/],
  ])('rejects %s', (_case, run, field, rule) => {
    const error = domainErrorOf(run);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.rule).toMatch(rule);
  });
});
