import { CURRENT_EVENT_VERSIONS, UnreadableEventError, upcast } from './upcast';

/** Payloads exactly as version 1 of each event type was written to the log. */
const STORED_V1: Record<string, unknown> = {
  ServiceRegistered: { service: { namespace: 'default', name: 'web', labels: {}, ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }], addressTypes: ['IPv4'] } },
  ServiceDeleted: { namespace: 'default', name: 'web' },
  EndpointRegistered: { namespace: 'default', serviceName: 'web', endpoint: { id: '10.0.0.1', addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, ports: [] } },
  EndpointConditionsChanged: { namespace: 'default', serviceName: 'web', id: '10.0.0.1', conditions: { ready: false, serving: false, terminating: false } },
  EndpointDeregistered: { namespace: 'default', serviceName: 'web', id: '10.0.0.1' },
  EndpointExpired: { namespace: 'default', serviceName: 'web', id: '10.0.0.1', phase: 'NotReady', leaseLapsedAt: '2026-01-01T00:00:00Z' },
};

describe('upcast', () => {
  it('covers every event type', () => {
    expect(Object.keys(STORED_V1).sort()).toEqual(Object.keys(CURRENT_EVENT_VERSIONS).sort());
  });

  it.each(Object.entries(STORED_V1))('reads stored v1 %s', (type, data) => {
    expect(upcast(type, 1, data)).toEqual({ type, data });
  });

  it.each([
    ['an unknown type', 'EndpointTeleported', 1, {}, /unknown event type/],
    ['a future version', 'ServiceDeleted', 99, { namespace: 'a', name: 'b' }, /unsupported version 99/],
    ['version 0', 'ServiceDeleted', 0, { namespace: 'a', name: 'b' }, /unsupported version 0/],
    ['data that is not an object', 'ServiceDeleted', 1, [1, 2], /must be a JSON object/],
    ['missing fields', 'EndpointDeregistered', 1, { namespace: 'a' }, /missing serviceName, id/],
  ])('refuses %s', (_case, type, version, data, message) => {
    expect(() => upcast(type, version, data)).toThrow(UnreadableEventError);
    expect(() => upcast(type, version, data)).toThrow(message);
  });
});
