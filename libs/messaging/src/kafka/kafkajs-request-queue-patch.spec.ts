/*
 * kafkajs runs with our patch (patches/kafkajs+2.2.4.patch): a connection's request queue sets a
 * timer only while requests wait in it. Unpatched, every check set another one with a negative
 * delay, which Node runs after 1 ms, so each process woke every millisecond for each Kafka
 * connection it held, idle or not (tulios/kafkajs#1556, #1704). These pin that and what the queue
 * must keep doing: send a waiting request when an in-flight one completes or a throttle ends.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's network modules have no typings */
interface PushedRequest {
  readonly entry: { readonly correlationId: number; readonly resolve: () => void; readonly reject: (error: unknown) => void };
  readonly expectResponse: boolean;
  readonly sendRequest: () => void;
}
interface KafkaRequestQueue {
  push(request: PushedRequest): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(milliseconds: number): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => KafkaRequestQueue;
/* eslint-enable @typescript-eslint/no-require-imports */

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const queueOf = (maxInFlightRequests: number) =>
  new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'b:9092', logger });

const request = (correlationId: number, sent: number[]): PushedRequest => ({
  entry: { correlationId, resolve: () => undefined, reject: () => undefined },
  expectResponse: true,
  sendRequest: () => sent.push(correlationId),
});

const response = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe('kafkajs request queue (patched)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sets no timer once its requests are answered and none waits', () => {
    const queue = queueOf(5);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest(response(1));
    expect(sent).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends a request that waited for a free in-flight slot when one is answered', () => {
    const queue = queueOf(1);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest(response(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(response(2));
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('holds a request while the broker throttles the client and sends it when the throttle ends', () => {
    const queue = queueOf(5);
    const sent: number[] = [];
    queue.maybeThrottle(50);
    queue.push(request(1, sent));
    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(20);
    expect(sent).toEqual([1]);
    queue.fulfillRequest(response(1));
    expect(jest.getTimerCount()).toBe(0);
  });
});
