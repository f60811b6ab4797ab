import type { WebSocket } from 'ws';
import { SharedPayloads } from './shared-payloads';

/** A socket whose send records what would go on the wire, as graphql-ws would call it. */
const fakeSocket = () => {
  const wire: unknown[] = [];
  const socket = { send: (data: unknown) => void wire.push(data) } as unknown as WebSocket;
  return { socket, wire };
};

const nextMessage = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

describe('SharedPayloads', () => {
  it('sends each subscriber the message it would have sent, serializing a shared result once', () => {
    const payloads = new SharedPayloads();
    const a = fakeSocket();
    const b = fakeSocket();
    payloads.attach(a.socket);
    payloads.attach(b.socket);
    const result = { data: { endpointSliceEvents: { type: 'MODIFIED', resourceVersion: '7', object: { endpoints: [{ addresses: ['10.0.0.1'] }] } } } };
    const stringify = jest.spyOn(JSON, 'stringify');
    const forA = payloads.payloadFor(a.socket, result);
    const forB = payloads.payloadFor(b.socket, result);
    expect(stringify.mock.calls.filter(([value]) => value === result)).toHaveLength(1);
    stringify.mockRestore();
    a.socket.send(nextMessage('1', forA));
    b.socket.send(nextMessage('sub-2', forB));
    expect(a.wire).toEqual([JSON.stringify({ id: '1', type: 'next', payload: result })]);
    expect(b.wire).toEqual([JSON.stringify({ id: 'sub-2', type: 'next', payload: result })]);
  });

  it('keeps interleaved messages of one socket apart, and leaves every other frame alone', () => {
    const payloads = new SharedPayloads();
    const { socket, wire } = fakeSocket();
    payloads.attach(socket);
    const first = { data: { n: 1 } };
    const second = { data: { n: 2 } };
    const p1 = payloads.payloadFor(socket, first);
    const p2 = payloads.payloadFor(socket, second);
    socket.send(nextMessage('b', p2));
    socket.send(nextMessage('a', p1));
    socket.send('{"type":"pong"}');
    const binary = Buffer.from('x');
    socket.send(binary);
    expect(wire).toEqual([nextMessage('b', second), nextMessage('a', first), '{"type":"pong"}', binary]);
  });

  it('never swaps a placeholder a client wrote into its own operation id', () => {
    const payloads = new SharedPayloads();
    const { socket, wire } = fakeSocket();
    payloads.attach(socket);
    const placeholder = payloads.payloadFor(socket, { data: { secret: true } })?.toJSON() as string;
    const forged = JSON.stringify({ id: placeholder, type: 'complete' });
    socket.send(forged);
    expect(wire).toEqual([forged]);
  });

  it('hands out nothing for a socket it was not attached to (the result then goes the usual way)', () => {
    expect(new SharedPayloads().payloadFor(fakeSocket().socket, { data: {} })).toBeUndefined();
  });
});
