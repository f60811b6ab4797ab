import { endpointRange, sliceWith } from './testing/builders';
import { stringifyWithEndpointsOf } from './slice-json';
import { toKubernetesObject } from './kubernetes-object';

describe('stringifyWithEndpointsOf', () => {
  it('gives the JSON of the slice and of values that carry its endpoints', () => {
    const slice = sliceWith('web-abcde', endpointRange(3));
    expect(JSON.parse(stringifyWithEndpointsOf(slice, slice))).toEqual(JSON.parse(JSON.stringify(slice)));
    const object = toKubernetesObject(slice, '42');
    expect(JSON.parse(stringifyWithEndpointsOf(slice, object))).toEqual(JSON.parse(JSON.stringify(object)));
    expect(JSON.parse(stringifyWithEndpointsOf(slice, { endpoints: slice.endpoints }))).toEqual({ endpoints: JSON.parse(JSON.stringify(slice.endpoints)) });
  });

  it('serializes the endpoints of each slice object once', () => {
    const slice = sliceWith('web-abcde', endpointRange(3));
    const stringify = jest.spyOn(JSON, 'stringify');
    stringifyWithEndpointsOf(slice, slice);
    stringifyWithEndpointsOf(slice, toKubernetesObject(slice, '7'));
    expect(stringify.mock.calls.filter(([value]) => value === slice.endpoints)).toHaveLength(1);
    stringify.mockRestore();
  });
});
