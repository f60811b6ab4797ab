import { FakeSlices, grpcService } from './testing/slices';
import { XdsCatalog } from './xds-catalog';

const everyone = () => true;
const names = (map: Map<string, unknown>) => [...map.keys()];

describe('XdsCatalog', () => {
  const slices = new FakeSlices();
  slices.set('shop', 'web', grpcService('shop', 'web', '10.0.0.1'));
  slices.set('bank', 'ledger', grpcService('bank', 'ledger', '10.1.0.1'));
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
    slices.set('shop', 'web', grpcService('shop', 'web', '10.0.0.2'));
    const after = catalog.resources('EDS', { wildcard: false, names: new Set(['shop/web/grpc']) }, everyone).get('shop/web/grpc');
    expect(JSON.stringify(before)).toContain('10.0.0.1');
    expect(JSON.stringify(after)).toContain('10.0.0.2');
    expect(changed).toEqual(['shop/web']);
    expect(catalog.version).toBe(slices.resourceVersion.toString());
    stop();
  });
});
