import type { SliceEndpoint } from './endpoint-slice';
import { endpointIdentity, equalBeyondIdentity, equalHints, sameIdentity } from './endpoint-identity';
import { aSliceEndpoint } from './testing/builders';

describe('endpoint identity (k8s endpointHash)', () => {
  const base = aSliceEndpoint('e1', '10.0.0.1', { addresses: ['10.0.0.1', '10.0.0.9'] });

  it.each<[string, Partial<SliceEndpoint>]>([
    ['address order', { addresses: ['10.0.0.9', '10.0.0.1'] }],
    ['conditions', { conditions: { ready: false, serving: false, terminating: true } }],
    ['zone', { zone: 'zone-b' }],
    ['node', { nodeName: 'node-b' }],
    ['hints', { hints: { forZones: [{ name: 'zone-b' }] } }],
    ['an empty hostname vs none', { hostname: '' }],
  ])('ignores %s', (_, change) => {
    expect(endpointIdentity({ ...base, ...change })).toBe(endpointIdentity(base));
    expect(sameIdentity({ ...base, ...change }, base)).toBe(true);
  });

  it.each<[string, Partial<SliceEndpoint>]>([
    ['addresses', { addresses: ['10.0.0.1'] }],
    ['hostname', { hostname: 'web-0' }],
    ['target name', { targetRef: { kind: 'Instance', namespace: 'default', name: 'e2' } }],
    ['target namespace', { targetRef: { kind: 'Instance', namespace: 'other', name: 'e1' } }],
  ])('depends on %s', (_, change) => {
    expect(endpointIdentity({ ...base, ...change })).not.toBe(endpointIdentity(base));
    expect(sameIdentity({ ...base, ...change }, base)).toBe(false);
    expect(sameIdentity(base, { ...base, ...change })).toBe(false);
  });

  it('keeps parts apart whatever text they hold', () => {
    const one = aSliceEndpoint('a', '10.0.0.1', { hostname: 'x|1:y' });
    const other = aSliceEndpoint('a', '10.0.0.1', { hostname: 'x', addresses: ['10.0.0.1'], targetRef: { kind: 'Instance', namespace: 'y|7:default', name: 'a' } });
    expect(endpointIdentity(one)).not.toBe(endpointIdentity(other));
    expect(sameIdentity(one, other)).toBe(false);
    expect(endpointIdentity(aSliceEndpoint('a', '1', { addresses: ['1', '2'] }))).not.toBe(endpointIdentity(aSliceEndpoint('a', '1', { addresses: ['1|1:2'] })));
  });
});

describe('equalBeyondIdentity (k8s EndpointsEqualBeyondHash)', () => {
  const base = aSliceEndpoint('e1', '10.0.0.1', { zone: 'zone-a', nodeName: 'node-a' });

  it.each<[string, Partial<SliceEndpoint>, boolean]>([
    ['identical', {}, true],
    ['hints only (handled by the hint stage)', { hints: { forZones: [{ name: 'zone-a' }] } }, true],
    ['ready', { conditions: { ready: false, serving: true, terminating: false } }, false],
    ['serving', { conditions: { ready: true, serving: false, terminating: false } }, false],
    ['terminating', { conditions: { ready: true, serving: true, terminating: true } }, false],
    ['zone', { zone: 'zone-b' }, false],
    ['node', { nodeName: 'node-b' }, false],
    ['empty node vs unset', { nodeName: '' }, false],
  ])('%s -> %s', (_, change, equal) => {
    expect(equalBeyondIdentity(base, { ...base, ...change })).toBe(equal);
  });
});

describe('equalHints', () => {
  it.each([
    [undefined, undefined, true],
    [undefined, {}, true],
    [{ forZones: [] }, undefined, true],
    [{ forZones: [{ name: 'a' }] }, { forZones: [{ name: 'a' }] }, true],
    [{ forZones: [{ name: 'a' }] }, { forZones: [{ name: 'b' }] }, false],
    [{ forZones: [{ name: 'a' }] }, undefined, false],
    [{ forZones: [{ name: 'a' }] }, { forZones: [{ name: 'a' }], forNodes: [{ name: 'n' }] }, false],
  ])('%j vs %j -> %s', (a, b, equal) => {
    expect(equalHints(a, b)).toBe(equal);
  });
});
