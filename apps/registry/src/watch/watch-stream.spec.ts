import { ApiError } from '../graphql/format-error';
import { WatchStream } from './watch-stream';

const event = (rv: number) => ({ type: 'MODIFIED', resourceVersion: String(rv) });

describe('WatchStream', () => {
  it('delivers in order to a waiting and a late reader', async () => {
    const stream = new WatchStream(10);
    const waiting = stream.next();
    stream.push(event(1));
    stream.push(event(2));
    expect(await waiting).toEqual({ value: event(1), done: false });
    expect(await stream.next()).toEqual({ value: event(2), done: false });
  });

  it('ends with SUBSCRIBER_TOO_SLOW instead of growing past its capacity', async () => {
    const stream = new WatchStream(3);
    let closed = false;
    stream.onClose(() => (closed = true));
    for (let rv = 1; rv <= 4; rv++) stream.push(event(rv));
    const first = await stream.next();
    expect(first.value).toBeInstanceOf(ApiError);
    expect(first.value).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(true);
    stream.push(event(5));
    expect(stream.pending).toBe(0);
  });

  it('runs its cleanups once when the client goes away', async () => {
    const stream = new WatchStream(3);
    let cleanups = 0;
    stream.onClose(() => cleanups++);
    const waiting = stream.next();
    await stream.return();
    await stream.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(cleanups).toBe(1);
  });
});
