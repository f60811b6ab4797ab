import { UnreadableEventError, type RecordedEvent } from '@lib/domain';
import { decodeEvent, encodeEvent } from './cloudevents';
import type { LogMessage } from './event-log';

const recorded: RecordedEvent = {
  event: { type: 'EndpointDeregistered', data: { namespace: 'shop', serviceName: 'cart', id: 'vm-1' } },
  metadata: { id: 'a1b2', time: '2026-11-26T10:00:00.000Z', actor: 'ci', commandId: 'cmd-1', commandSize: 2 },
};

const asMessage = (encoded: ReturnType<typeof encodeEvent>, overrides: Partial<LogMessage> = {}): LogMessage => ({
  key: encoded.key,
  value: encoded.value,
  headers: encoded.headers,
  offset: 7n,
  ...overrides,
});

describe('CloudEvents Kafka binding (binary mode)', () => {
  it('puts the attributes in ce_* headers, the data in the value, and keys by service', () => {
    const encoded = encodeEvent(recorded);
    expect(encoded.key).toBe('shop/cart');
    expect(encoded.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'a1b2',
      ce_source: '/endpointslice-registry',
      ce_type: 'io.endpointslice.registry.endpoint.deregistered.v1',
      ce_time: '2026-11-26T10:00:00.000Z',
      ce_subject: 'shop/cart',
      ce_actor: 'ci',
      ce_commandid: 'cmd-1',
      ce_commandsize: '2',
      'content-type': 'application/json',
    });
    expect(JSON.parse(encoded.value.toString())).toEqual(recorded.event.data);
  });

  it('decodes what it encodes', () => {
    expect(decodeEvent(asMessage(encodeEvent(recorded)))).toEqual(recorded);
  });

  it.each([
    ['a missing spec version', (m: LogMessage) => ({ ...m, headers: { ...m.headers, ce_specversion: '' } }), /ce_specversion/],
    ['an unknown type', (m: LogMessage) => ({ ...m, headers: { ...m.headers, ce_type: 'io.endpointslice.registry.endpoint.teleported.v1' } }), /unknown ce_type/],
    ['a future version', (m: LogMessage) => ({ ...m, headers: { ...m.headers, ce_type: 'io.endpointslice.registry.endpoint.deregistered.v9' } }), /unsupported version 9/],
    ['a value that is not JSON', (m: LogMessage) => ({ ...m, value: Buffer.from('{oops') }), /not JSON/],
    ['a key of another service', (m: LogMessage) => ({ ...m, key: 'shop/other' }), /does not match/],
    ['a missing event id', (m: LogMessage) => ({ ...m, headers: { ...m.headers, ce_id: '' } }), /ce_id/],
    ['a U+0000 in the data (escaped, as JSON carries it)', (m: LogMessage) => ({ ...m, value: Buffer.from(JSON.stringify({ namespace: 'shop', serviceName: 'cart', id: 'vm\u00001' })) }), /data.id: contains U\+0000/],
  ])('refuses %s as unreadable (a dead letter)', (_case, corrupt, message) => {
    const bad = corrupt(asMessage(encodeEvent(recorded)));
    expect(() => decodeEvent(bad)).toThrow(UnreadableEventError);
    expect(() => decodeEvent(bad)).toThrow(message);
  });

  it('reads a backslash followed by u0000 as the text it is, not as U+0000', () => {
    const id = 'vm\\u0000';
    const message = asMessage(encodeEvent({ ...recorded, event: { type: 'EndpointDeregistered', data: { namespace: 'shop', serviceName: 'cart', id } } }));
    expect(message.value?.toString()).toContain('\\\\u0000');
    expect(() => decodeEvent(message)).toThrow('data.id');
    expect(() => decodeEvent(message)).not.toThrow('U+0000');
  });
});
