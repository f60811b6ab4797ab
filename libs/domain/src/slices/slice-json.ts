import type { EndpointSlice } from './endpoint-slice';

const endpointsText = new WeakMap<EndpointSlice, string>();

/**
 * JSON.stringify(value), where `value.endpoints` is `slice.endpoints`, with the endpoints serialized
 * once per slice object: a changed slice goes into the change log, the slice table and the slice
 * topic, and its endpoints are nearly all of its bytes. Slices are immutable values, so the text
 * stays true for the object. Key order differs from JSON.stringify's (endpoints come last), which
 * JSON readers do not see.
 */
export const stringifyWithEndpointsOf = (slice: EndpointSlice, value: { readonly endpoints: unknown }): string => {
  let endpoints = endpointsText.get(slice);
  if (endpoints === undefined) {
    endpoints = JSON.stringify(slice.endpoints);
    endpointsText.set(slice, endpoints);
  }
  const rest = JSON.stringify({ ...value, endpoints: undefined });
  return rest === '{}' ? `{"endpoints":${endpoints}}` : `${rest.slice(0, -1)},"endpoints":${endpoints}}`;
};
