import { applyEvent, compareVersions, endpointRows, filterSummaries, fromList, serviceSummaries, unknownServices, withService, type Slice, type SliceEndpoint } from './registry-state';

const endpoint = (id: string, ready: boolean, address = id): SliceEndpoint => ({
  addresses: [address],
  conditions: { ready, serving: true, terminating: false },
  hostname: null,
  nodeName: null,
  zone: null,
  targetRef: { name: id },
});

const slice = (name: string, service: string, resourceVersion: string, endpoints: SliceEndpoint[], addressType = 'IPv4', namespace = 'default'): Slice => ({
  metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service }, resourceVersion, generation: 1 },
  addressType,
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  endpoints,
});

const web = { namespace: 'default', name: 'web', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] };

describe('the console state (list-then-watch)', () => {
  it('counts ready/total per instance, a dual-stack instance once, and slices per service', () => {
    const state = fromList(
      [slice('web-a', 'web', '3', [endpoint('a', true), endpoint('b', false)]), slice('web-b', 'web', '4', [endpoint('a', true, 'fd00::1')], 'IPv6')],
      [web],
    );
    expect(serviceSummaries(state)).toEqual([{ namespace: 'default', name: 'web', ports: web.ports, ready: 1, total: 2, slices: 2 }]);
    expect(endpointRows([...state.slices.values()]).find((row) => row.id === 'a')?.addresses).toEqual(['a', 'fd00::1']);
  });

  it('applies changes in order and ignores a replayed older version of a slice', () => {
    const listed = fromList([slice('web-a', 'web', '5', [endpoint('a', true)])], [web]);
    const stale = applyEvent(listed, { type: 'MODIFIED', resourceVersion: '4', object: slice('web-a', 'web', '4', []) });
    expect(stale).toBe(listed);
    const changed = applyEvent(listed, { type: 'MODIFIED', resourceVersion: '10', object: slice('web-a', 'web', '10', [endpoint('a', false)]) });
    expect(serviceSummaries(changed)[0]).toMatchObject({ ready: 0, total: 1 });
    expect(applyEvent(changed, { type: 'BOOKMARK', resourceVersion: '11', object: null })).toBe(changed);
    // A deletion replayed from before the slice was created again deletes nothing.
    expect(applyEvent(changed, { type: 'DELETED', resourceVersion: '8', object: slice('web-a', 'web', '8', []) })).toBe(changed);
  });

  it('drops a service with its last slice, and asks for the definition of a service first seen in the watch', () => {
    const listed = fromList([slice('web-a', 'web', '5', [])], [web]);
    const gone = applyEvent(listed, { type: 'DELETED', resourceVersion: '6', object: slice('web-a', 'web', '6', []) });
    expect(serviceSummaries(gone)).toEqual([]);
    const added = applyEvent(gone, { type: 'ADDED', resourceVersion: '7', object: slice('cart-x', 'cart', '7', [], 'IPv4', 'shop') });
    expect(unknownServices(added)).toEqual([{ namespace: 'shop', name: 'cart' }]);
    expect(unknownServices(withService(added, { namespace: 'shop', name: 'cart', ports: [] }))).toEqual([]);
  });

  it('compares resourceVersions as integers of any length', () => {
    expect(compareVersions('9', '10')).toBeLessThan(0);
    expect(compareVersions('123456789012345678901', '123456789012345678900')).toBeGreaterThan(0);
    expect(compareVersions('42', '42')).toBe(0);
  });

  it('filters by namespace and by every search word', () => {
    const summaries = serviceSummaries(fromList([slice('web-a', 'web', '1', []), slice('cart-a', 'cart', '2', [], 'IPv4', 'shop')], [web]));
    expect(filterSummaries(summaries, 'shop', '').map((s) => s.name)).toEqual(['cart']);
    expect(filterSummaries(summaries, '', 'default http').map((s) => s.name)).toEqual(['web']);
    expect(filterSummaries(summaries, '', 'nothing')).toEqual([]);
  });
});
