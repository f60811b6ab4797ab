import type { EndpointSlice } from '@lib/domain';
import { aSlice, anEndpoint, tcp } from './testing/slices';
import { XdsCatalog, type SliceSource } from './xds-catalog';

/** A slice view in a map: set() replaces a service's slices and tells the listeners, as the real one does. */
class FakeSlices implements SliceSource {
  resourceVersion = 0n;
  private readonly byService = new Map<string, readonly EndpointSlice[]>();
  private readonly listeners = new Set<(key: string, rv: bigint) => void>();

  set(namespace: string, service: string, slices: readonly EndpointSlice[]): void {
    this.resourceVersion += 1n;
    this.byService.set(`${namespace}/${service}`, slices);
    for (const listener of this.listeners) listener(`${namespace}/${service}`, this.resourceVersion);
  }

  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    return this.byService.get(`${namespace}/${service}`) ?? [];
  }

  serviceKeys(): IterableIterator<string> {
    return this.byService.keys();
  }

  onChange(listener: (key: string, rv: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const service = (namespace: string, name: string, address: string) => [
  aSlice(`${name}-1`, [anEndpoint(address)], [tcp('grpc', 9090)], 'IPv4', { namespace, name }),
];
const everyone = () => true;
const names = (map: Map<string, unknown>) => [...map.keys()];

describe('XdsCatalog', () => {
  const slices = new FakeSlices();
  slices.set('shop', 'web', service('shop', 'web', '10.0.0.1'));
  slices.set('bank', 'ledger', service('bank', 'ledger', '10.1.0.1'));
  const catalog = new XdsCatalog(slices);

  it('serves every resource of a wildcard subscription and the existing ones of a named one', () => {
    expect(names(catalog.resources('LDS', { wildcard: true, names: new Set() }, everyone))).toEqual(['web.shop', 'ledger.bank']);
    expect(names(catalog.resources('CDS', { wildcard: false, names: new Set(['shop/web/grpc', 'shop/web/http', 'shop/gone/grpc', 'not a name']) }, everyone))).toEqual([
      'shop/web/grpc',
    ]);
  });

  it('serves nothing of a namespace the caller cannot read', () => {
    const shopOnly = (namespace: string) => namespace === 'shop';
    expect(names(catalog.resources('LDS', { wildcard: true, names: new Set() }, shopOnly))).toEqual(['web.shop']);
    expect(names(catalog.resources('EDS', { wildcard: false, names: new Set(['bank/ledger/grpc']) }, shopOnly))).toEqual([]);
  });

  it('rebuilds a service after it changed and tells the listeners, with the resourceVersion as the version', () => {
    const changed: string[] = [];
    const stop = catalog.onChange((key) => changed.push(key));
    const before = catalog.resources('EDS', { wildcard: false, names: new Set(['shop/web/grpc']) }, everyone).get('shop/web/grpc');
    slices.set('shop', 'web', service('shop', 'web', '10.0.0.2'));
    const after = catalog.resources('EDS', { wildcard: false, names: new Set(['shop/web/grpc']) }, everyone).get('shop/web/grpc');
    expect(JSON.stringify(before)).toContain('10.0.0.1');
    expect(JSON.stringify(after)).toContain('10.0.0.2');
    expect(changed).toEqual(['shop/web']);
    expect(catalog.version).toBe(slices.resourceVersion.toString());
    stop();
  });
});
