import { aService, anEndpoint, deepFreeze } from '../slices/testing/builders';
import type { RegistryEvent } from './events';
import { UnreadableEventError } from './upcast';
import { validateEvent } from './validate-event';

const serviceRegistered = (overrides: Record<string, unknown> = {}): RegistryEvent =>
  deepFreeze({ type: 'ServiceRegistered', data: { service: { ...aService().definition, labels: { tier: 'web' }, ...overrides } } } as RegistryEvent);

const endpointRegistered = (overrides: Record<string, unknown> = {}): RegistryEvent =>
  deepFreeze({
    type: 'EndpointRegistered',
    data: {
      namespace: 'default',
      serviceName: 'web',
      endpoint: { ...anEndpoint({ hostname: 'web-1', zone: 'eu-1', ports: [{ name: 'http', protocol: 'TCP', port: 9000 }], ttlSeconds: 10, deregisterAfterSeconds: 30 }), ...overrides },
    },
  } as RegistryEvent);

const ref = { namespace: 'default', serviceName: 'web', id: '10.0.0.1' };

const reasonOf = (event: RegistryEvent): string => {
  try {
    validateEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableEventError);
    return (error as Error).message;
  }
  throw new Error('expected the event to be refused');
};

describe('validateEvent: the projector reads the log as the API reads its input', () => {
  it.each<[string, RegistryEvent]>([
    ['a service', serviceRegistered()],
    ['an FQDN service', serviceRegistered({ addressTypes: ['FQDN'] })],
    ['a service deletion', { type: 'ServiceDeleted', data: { namespace: 'default', name: 'web' } }],
    ['an endpoint with lease, ports, hostname and zone', endpointRegistered()],
    ['an IPv6 endpoint of an IPv4 service (the family is judged at apply time)', endpointRegistered({ id: '2001:db8::1', addresses: ['2001:db8::1'] })],
    ['a condition change by a lease renewal', { type: 'EndpointConditionsChanged', data: { ...ref, conditions: { ready: true, serving: true, terminating: false }, reason: 'lease renewed', leaseId: 'l1' } }],
    ['a deregistration', { type: 'EndpointDeregistered', data: ref }],
    ['an expiry', { type: 'EndpointExpired', data: { ...ref, phase: 'Removed', leaseLapsedAt: '2026-01-01T00:00:00Z', leaseId: 'l1' } }],
  ])('accepts %s', (_, event) => {
    expect(() => validateEvent(deepFreeze(event))).not.toThrow();
  });

  it.each<[string, RegistryEvent, string]>([
    ['a NUL in a label value', serviceRegistered({ labels: { tier: 'we\u0000b' } }), 'data.service.labels.tier: contains U+0000'],
    ['a NUL in a label key', serviceRegistered({ labels: { 'ti\u0000er': 'web' } }), 'data.service.labels["ti\\u0000er"]: key contains U+0000'],
    ['a NUL in an endpoint hostname', endpointRegistered({ hostname: 'web\u00001' }), 'data.endpoint.hostname: contains U+0000'],
    ['a NUL in a condition reason', { type: 'EndpointConditionsChanged', data: { ...ref, conditions: { ready: false, serving: true, terminating: false }, reason: 'x\u0000' } }, 'data.reason: contains U+0000'],
    ['a bad service name', serviceRegistered({ name: '1web' }), 'data.service.name'],
    ['a port out of range', serviceRegistered({ ports: [{ name: 'http', protocol: 'TCP', port: 70000, targetPort: 80 }] }), 'data.service.ports[0].port'],
    ['an unknown address type', serviceRegistered({ addressTypes: ['IPX'] }), 'data.service.addressTypes[0]'],
    ['a bad label value', serviceRegistered({ labels: { tier: 'not a label value' } }), 'data.service.labels["tier"]'],
    ['a non-canonical IPv6 address', endpointRegistered({ id: 'x', addresses: ['2001:DB8:0::1'] }), 'data.endpoint.addresses[0]: must be in canonical form (2001:db8::1)'],
    ['a loopback address', endpointRegistered({ addresses: ['127.0.0.1'] }), 'data.endpoint.addresses[0]'],
    ['no address', endpointRegistered({ addresses: [] }), 'data.endpoint.addresses'],
    ['a bad hostname', endpointRegistered({ hostname: 'Web_1' }), 'data.endpoint.hostname'],
    ['a bad node name', endpointRegistered({ nodeName: '-node' }), 'data.endpoint.nodeName'],
    ['a bad zone', endpointRegistered({ zone: 'a zone' }), 'data.endpoint.zone'],
    ['a bad instance port', endpointRegistered({ ports: [{ name: 'http', protocol: 'TCP', port: 0 }] }), 'data.endpoint.ports[0].port'],
    ['a lease out of range', endpointRegistered({ ttlSeconds: 0 }), 'data.endpoint.ttlSeconds'],
    ['incomplete conditions', endpointRegistered({ conditions: { ready: true } }), 'data.endpoint.conditions.serving'],
    ['ready while terminating', endpointRegistered({ conditions: { ready: true, serving: true, terminating: true } }), 'data.endpoint.conditions.ready'],
    ['a bad endpoint id', { type: 'EndpointDeregistered', data: { ...ref, id: 'a/b' } }, 'data.id'],
    ['a bad namespace', { type: 'ServiceDeleted', data: { namespace: 'Default', name: 'web' } }, 'data.namespace'],
    ['an unknown expiry phase', { type: 'EndpointExpired', data: { ...ref, phase: 'Gone', leaseLapsedAt: '2026-01-01T00:00:00Z' } } as unknown as RegistryEvent, 'data.phase'],
    ['an expiry without a time', { type: 'EndpointExpired', data: { ...ref, phase: 'Removed', leaseLapsedAt: 'yesterday' } }, 'data.leaseLapsedAt'],
  ])('refuses %s, naming the field', (_, event, reason) => {
    const message = reasonOf(deepFreeze(event));
    expect(message).toContain(`${event.type}: ${reason}`);
  });
});
