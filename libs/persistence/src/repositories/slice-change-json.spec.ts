import { toKubernetesObject } from '@lib/domain';
import { sliceFixture } from '@lib/testing';
import { jsonWithEndpointsOf } from './slice-change-json';
import type { SliceChange } from './slice-change.repository';

describe('jsonWithEndpointsOf', () => {
  const slice = sliceFixture('web-abcde', 2);
  const aChange = (): SliceChange => ({ type: 'MODIFIED', slice, resourceVersion: '42', eventIds: ['e1'] });

  it('gives the JSON of the slice and of values that carry its endpoints', () => {
    const change = aChange();
    const parsed = (bytes: Buffer): unknown => JSON.parse(bytes.toString());
    expect(parsed(jsonWithEndpointsOf(change, slice))).toEqual(JSON.parse(JSON.stringify(slice)));
    const object = toKubernetesObject(slice, '42');
    expect(parsed(jsonWithEndpointsOf(change, object))).toEqual(JSON.parse(JSON.stringify(object)));
    expect(parsed(jsonWithEndpointsOf(change, { endpoints: slice.endpoints }))).toEqual({ endpoints: JSON.parse(JSON.stringify(slice.endpoints)) });
    expect(parsed(jsonWithEndpointsOf(change, object, '{"type":"MODIFIED","object":', '}'))).toEqual({ type: 'MODIFIED', object: JSON.parse(JSON.stringify(object)) });
  });

  it('serializes the endpoints of each change once', () => {
    const change: SliceChange = { type: 'ADDED', slice: sliceFixture('once-abcde', 3), resourceVersion: '43', eventIds: ['e2'] };
    const stringify = jest.spyOn(JSON, 'stringify');
    jsonWithEndpointsOf(change, change.slice);
    jsonWithEndpointsOf(change, toKubernetesObject(change.slice, '7'));
    const endpoints: readonly unknown[] = change.slice.endpoints;
    expect(stringify.mock.calls.filter(([value]) => endpoints.includes(value)).map(([value]) => value)).toEqual(endpoints);
    stringify.mockRestore();
  });
});
