import type { CommitNotice, SliceChange, SliceChangeRepository } from '@lib/persistence';
import { sliceFixture } from '@lib/testing';
import type { DataSource } from 'typeorm';
import type { ProjectionSignal } from '../commands/projection-signal';
import { ChangeFeed, type FeedChange } from './change-feed';

const change = (rv: number): SliceChange => ({
  type: 'MODIFIED',
  resourceVersion: String(rv),
  eventIds: [`event-${rv}`],
  slice: { ...sliceFixture('web-abcde'), generation: rv },
});

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('ChangeFeed', () => {
  let feed: ChangeFeed;
  let announce: (notice?: CommitNotice) => void;
  let readRange: jest.Mock<Promise<SliceChange[]>, [unknown, { afterRv: bigint }]>;
  let received: FeedChange[];

  beforeEach(async () => {
    readRange = jest.fn(async (_q: unknown, _range: { afterRv: bigint }) => [] as SliceChange[]);
    const signal = { onCommit: (listener: (notice?: CommitNotice) => void) => ((announce = listener), () => undefined) } as unknown as ProjectionSignal;
    const changes = { latest: async () => '10', readRange } as unknown as SliceChangeRepository;
    feed = new ChangeFeed({ manager: {} } as DataSource, signal, changes);
    await feed.onApplicationBootstrap();
    await settled();
    received = [];
    feed.subscribe((c) => received.push(c));
  });

  afterEach(() => feed.onApplicationShutdown());

  it('takes a commit from its notice when the notice starts where the feed stands', async () => {
    announce({ from: 10n, latest: 12n, changes: [change(11), change(12)] });
    await settled();
    announce({ from: 12n, latest: 14n, changes: [change(13)] });
    await settled();
    expect(received.map((c) => c.resourceVersion)).toEqual([11n, 12n, 13n]);
    expect(feed.position).toBe(14n);
    expect(readRange).not.toHaveBeenCalled();
  });

  it('reads the change log after its position when a notice leaves a gap or carries no changes', async () => {
    readRange.mockResolvedValueOnce([change(11), change(12)]);
    announce({ from: 11n, latest: 12n, changes: [change(12)] });
    await settled();
    expect(readRange).toHaveBeenCalledTimes(1);
    expect(readRange.mock.calls[0][1].afterRv).toBe(10n);
    readRange.mockResolvedValueOnce([change(13)]);
    announce({ from: 12n, latest: 13n });
    await settled();
    expect(readRange).toHaveBeenCalledTimes(2);
    expect(readRange.mock.calls[1][1].afterRv).toBe(12n);
    expect(received.map((c) => c.resourceVersion)).toEqual([11n, 12n, 13n]);
  });

  it('skips a notice of changes it has already read', async () => {
    readRange.mockResolvedValueOnce([change(11)]);
    announce();
    await settled();
    announce({ from: 10n, latest: 11n, changes: [change(11)] });
    await settled();
    expect(received.map((c) => c.resourceVersion)).toEqual([11n]);
    expect(readRange).toHaveBeenCalledTimes(1);
  });
});
