import { ApiError } from '../graphql/format-error';
import type { WatchEvent } from '../endpoint-slices/endpoint-slice.types';

/** An item of a subscription: an event, or the error that ends it. */
export type WatchItem = WatchEvent | ApiError;

/**
 * A bounded queue between the change feed and one subscriber. When the subscriber falls more
 * than `capacity` events behind, the stream ends with an error instead of growing memory.
 */
export class WatchStream implements AsyncIterableIterator<WatchItem> {
  private readonly queue: WatchItem[] = [];
  private waiting?: (result: IteratorResult<WatchItem>) => void;
  private done = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly capacity: number,
    /** Called for each event the subscriber takes (not for the error that ends the stream). */
    private readonly onSent: () => void = () => undefined,
  ) {}

  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(event: WatchEvent): void {
    if (this.done) return;
    if (this.queue.length >= this.capacity) {
      this.queue.length = 0;
      this.fail(
        new ApiError(
          'SUBSCRIBER_TOO_SLOW',
          `subscriber fell more than ${this.capacity} events behind; watch again from the last resourceVersion received (or re-list)`,
        ),
      );
      return;
    }
    this.deliver(event);
  }

  /** Ends the stream after the queued events with this error. */
  fail(error: ApiError): void {
    if (this.done) return;
    this.deliver(error);
    this.close();
  }

  get pending(): number {
    return this.queue.length;
  }

  private deliver(item: WatchItem): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.handOut(item);
      resolve({ value: item, done: false });
    } else {
      this.queue.push(item);
    }
  }

  private handOut(item: WatchItem): void {
    if (!(item instanceof ApiError)) this.onSent();
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  next(): Promise<IteratorResult<WatchItem>> {
    const item = this.queue.shift();
    if (item) {
      this.handOut(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<WatchItem>> {
    this.close();
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
