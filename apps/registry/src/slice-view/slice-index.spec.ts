import type { EndpointSlice } from '@lib/domain';
import { aReadyEndpoint, aServiceSlice } from './testing/slices';
import { SliceIndex } from './slice-index';

const slice = (service: string, name: string, addresses: string[] = [], namespace = 'shop'): EndpointSlice =>
  aServiceSlice(service, name, addresses.map((address) => aReadyEndpoint([address])), { namespace });

const addressesOf = (slices: readonly EndpointSlice[]) => slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));

describe('SliceIndex', () => {
  it('given a snapshot, lists each service’s slices in name order, and nothing for an unknown service', () => {
    const index = new SliceIndex();
    index.load([slice('web', 'web-zz', ['10.0.0.2']), slice('web', 'web-aa', ['10.0.0.1']), slice('db', 'db-aa', ['10.0.1.1'])], 7n);

    expect(index.resourceVersion).toBe(7n);
    expect(index.slicesOf('shop', 'web').map((s) => s.name)).toEqual(['web-aa', 'web-zz']);
    expect(addressesOf(index.slicesOf('shop', 'db'))).toEqual(['10.0.1.1']);
    expect(index.slicesOf('shop', 'nope')).toEqual([]);
    expect(index.slicesOf('other', 'web')).toEqual([]);
    expect([...index.serviceKeys()].sort()).toEqual(['shop/db', 'shop/web']);
  });

  it('applies added, modified and deleted slices, and says which service each touched', () => {
    const index = new SliceIndex();
    index.load([slice('web', 'web-aa', ['10.0.0.1'])], 7n);

    expect(index.apply({ type: 'MODIFIED', slice: slice('web', 'web-aa', ['10.0.0.9']), resourceVersion: 8n })).toBe('shop/web');
    expect(index.apply({ type: 'ADDED', slice: slice('api', 'api-aa', ['10.0.2.1'], 'ops'), resourceVersion: 9n })).toBe('ops/api');
    expect(addressesOf(index.slicesOf('shop', 'web'))).toEqual(['10.0.0.9']);
    expect(addressesOf(index.slicesOf('ops', 'api'))).toEqual(['10.0.2.1']);

    expect(index.apply({ type: 'DELETED', slice: slice('web', 'web-aa'), resourceVersion: 10n })).toBe('shop/web');
    expect(index.slicesOf('shop', 'web')).toEqual([]);
    expect([...index.serviceKeys()]).toEqual(['ops/api']);
    expect(index.resourceVersion).toBe(10n);
  });

  it('ignores a change the snapshot already reflects, so the list-then-watch seam neither repeats nor reverts', () => {
    const index = new SliceIndex();
    index.load([slice('web', 'web-aa', ['10.0.0.2'])], 12n);

    // Held while the snapshot was read: 11 is older than the snapshot, 12 is in it.
    expect(index.apply({ type: 'MODIFIED', slice: slice('web', 'web-aa', ['10.0.0.1']), resourceVersion: 11n })).toBeUndefined();
    expect(index.apply({ type: 'DELETED', slice: slice('web', 'web-aa'), resourceVersion: 12n })).toBeUndefined();
    expect(addressesOf(index.slicesOf('shop', 'web'))).toEqual(['10.0.0.2']);
    expect(index.resourceVersion).toBe(12n);

    expect(index.apply({ type: 'MODIFIED', slice: slice('web', 'web-aa', ['10.0.0.3']), resourceVersion: 13n })).toBe('shop/web');
    expect(addressesOf(index.slicesOf('shop', 'web'))).toEqual(['10.0.0.3']);
  });

  it('hands out a new list after a change and the same one while nothing changed', () => {
    const index = new SliceIndex();
    index.load([slice('web', 'web-aa', ['10.0.0.1'])], 1n);
    const before = index.slicesOf('shop', 'web');
    expect(index.slicesOf('shop', 'web')).toBe(before);

    index.apply({ type: 'ADDED', slice: slice('web', 'web-bb', ['10.0.0.2']), resourceVersion: 2n });
    const after = index.slicesOf('shop', 'web');
    expect(after).not.toBe(before);
    expect(addressesOf(before)).toEqual(['10.0.0.1']);
    expect(addressesOf(after)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('a new snapshot replaces everything before it', () => {
    const index = new SliceIndex();
    index.load([slice('web', 'web-aa', ['10.0.0.1'])], 5n);
    index.load([slice('db', 'db-aa', ['10.0.1.1'])], 9n);
    expect(index.slicesOf('shop', 'web')).toEqual([]);
    expect(addressesOf(index.slicesOf('shop', 'db'))).toEqual(['10.0.1.1']);
  });
});
