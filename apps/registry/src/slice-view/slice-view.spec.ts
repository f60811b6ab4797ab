import type { EndpointSlice } from '@lib/domain';
import type { EndpointSliceRepository } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import type { ChangeFeed, FeedChange, FeedListener } from '../watch/change-feed';
import { SliceView } from './slice-view';
import { aReadyEndpoint, aServiceSlice } from './testing/slices';

const webSlice = (address: string): EndpointSlice => aServiceSlice('web', 'web-aa', [aReadyEndpoint([address])]);
const change = (type: FeedChange['type'], slice: EndpointSlice, resourceVersion: bigint): FeedChange =>
  ({ type, slice, resourceVersion, event: { type, resourceVersion: String(resourceVersion) } }) as FeedChange;

/** A change feed that delivers what the test sends, to whoever is subscribed at that moment. */
class FakeFeed {
  readonly listeners = new Set<FeedListener>();
  readonly started = Promise.resolve();
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  send(feedChange: FeedChange): void {
    for (const listener of this.listeners) listener(feedChange);
  }
}

const viewOver = (feed: FakeFeed, snapshot: () => Promise<{ slices: EndpointSlice[]; resourceVersion: string }>): SliceView => {
  const repository = {
    snapshot: async () => {
      const taken = await snapshot();
      return { slices: taken.slices.map((slice) => ({ slice, resourceVersion: taken.resourceVersion })), resourceVersion: taken.resourceVersion };
    },
  };
  return new SliceView({ manager: {} } as DataSource, feed as unknown as ChangeFeed, repository as unknown as EndpointSliceRepository);
};

const addressesOf = (slices: readonly EndpointSlice[]) => slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));

describe('SliceView', () => {
  it('given changes that arrive while the snapshot is read, applies only those after it, and then follows the feed', async () => {
    const feed = new FakeFeed();
    const view = viewOver(feed, async () => {
      // Committed before the snapshot (already in it), then after it (not in it).
      feed.send(change('MODIFIED', webSlice('10.0.0.2'), 10n));
      feed.send(change('MODIFIED', webSlice('10.0.0.3'), 11n));
      return { slices: [webSlice('10.0.0.2')], resourceVersion: '10' };
    });
    const heard: string[] = [];
    view.onChange((key, rv) => heard.push(`${key}@${rv}`));
    view.onServiceChange('shop/web', (_, rv) => heard.push(`web only@${rv}`));

    await view.start();
    expect(addressesOf(view.slicesOf('shop', 'web'))).toEqual(['10.0.0.3']);
    expect(view.resourceVersion).toBe(11n);

    feed.send(change('DELETED', webSlice('10.0.0.3'), 12n));
    feed.send(change('ADDED', aServiceSlice('db', 'db-aa', [aReadyEndpoint(['10.0.1.1'])]), 13n));
    expect(view.slicesOf('shop', 'web')).toEqual([]);
    expect([...view.serviceKeys()]).toEqual(['shop/db']);
    expect(heard).toEqual(['shop/web@11', 'web only@11', 'shop/web@12', 'web only@12', 'shop/db@13']);
  });

  it('loads once however many servers start it', async () => {
    const feed = new FakeFeed();
    let snapshots = 0;
    const view = viewOver(feed, async () => {
      snapshots++;
      return { slices: [], resourceVersion: '1' };
    });
    await Promise.all([view.start(), view.start()]);
    await view.start();
    expect(snapshots).toBe(1);
    expect(feed.listeners.size).toBe(1);
  });

  it('when the snapshot fails, leaves the feed and lets a later start try again', async () => {
    const feed = new FakeFeed();
    let attempt = 0;
    const view = viewOver(feed, async () => {
      if (++attempt === 1) throw new Error('Postgres is down');
      return { slices: [webSlice('10.0.0.1')], resourceVersion: '5' };
    });
    await expect(view.start()).rejects.toThrow('Postgres is down');
    expect(feed.listeners.size).toBe(0);

    await view.start();
    expect(addressesOf(view.slicesOf('shop', 'web'))).toEqual(['10.0.0.1']);
    expect(feed.listeners.size).toBe(1);
  });

  it('stops telling a service’s listener once it unsubscribed', async () => {
    const feed = new FakeFeed();
    const view = viewOver(feed, async () => ({ slices: [], resourceVersion: '1' }));
    await view.start();
    const heard: bigint[] = [];
    const unsubscribe = view.onServiceChange('shop/web', (_, rv) => heard.push(rv));
    feed.send(change('ADDED', webSlice('10.0.0.1'), 2n));
    unsubscribe();
    feed.send(change('MODIFIED', webSlice('10.0.0.2'), 3n));
    expect(heard).toEqual([2n]);
  });
});
