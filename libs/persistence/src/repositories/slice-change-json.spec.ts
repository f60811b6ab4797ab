import { toKubernetesObject, type EndpointSlice } from '@lib/domain';
import { stringifyWithEndpointsOf } from './slice-change-json';
import type { SliceChange } from './slice-change.repository';

describe('stringifyWithEndpointsOf', () => {
  const slice: EndpointSlice = {
    namespace: 'default',
    name: 'web-abcde',
    uid: 'uid-1',
    labels: { 'kubernetes.io/service-name': 'web' },
    annotations: {},
    generation: 2,
    creationTimestamp: '2026-01-02T03:04:05.000Z',
    addressType: 'IPv4',
    endpoints: ['10.0.0.1', '10.0.0.2'].map((address, i) => ({
      addresses: [address],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Instance', namespace: 'default', name: `ep-${i}` },
    })),
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };
  const aChange = (): SliceChange => ({ type: 'MODIFIED', slice, resourceVersion: '42', eventIds: ['e1'] });

  it('gives the JSON of the slice and of values that carry its endpoints', () => {
    const change = aChange();
    expect(JSON.parse(stringifyWithEndpointsOf(change, slice))).toEqual(JSON.parse(JSON.stringify(slice)));
    const object = toKubernetesObject(slice, '42');
    expect(JSON.parse(stringifyWithEndpointsOf(change, object))).toEqual(JSON.parse(JSON.stringify(object)));
    expect(JSON.parse(stringifyWithEndpointsOf(change, { endpoints: slice.endpoints }))).toEqual({ endpoints: JSON.parse(JSON.stringify(slice.endpoints)) });
  });

  it('serializes the endpoints of each change once', () => {
    const change = aChange();
    const stringify = jest.spyOn(JSON, 'stringify');
    stringifyWithEndpointsOf(change, change.slice);
    stringifyWithEndpointsOf(change, toKubernetesObject(change.slice, '7'));
    expect(stringify.mock.calls.filter(([value]) => value === change.slice.endpoints)).toHaveLength(1);
    stringify.mockRestore();
  });
});
