import { EndpointTexts } from './endpoint-texts';
import type { SliceChange } from './slice-change.repository';

const endpointsJson = new WeakMap<SliceChange, Buffer>();
/**
 * Above the slices a busy projector rewrites within seconds: G1's 200 slices of 60 to 100 endpoints
 * of about 200 bytes are 4 to 5 MB, and at a bound of 4 MB one change in eight serialized its slice
 * whole. Held as bytes alone, 8 MB cost what 4 MB of bytes and 4 MB of texts did.
 */
const recentSlices = new EndpointTexts(8_000_000);

/**
 * Buffer.from(before + JSON.stringify(value) + after), where `value.endpoints` is the change's
 * slice's endpoints, serialized once per change (and only those its slice's last change did not
 * write, see EndpointTexts): a change goes into the change log, the slice table and the slice
 * topic, and its endpoints are nearly all of its bytes. Held per change, not per slice, so the
 * bytes go when the change has been relayed while the cached slice lives on. Endpoints come last
 * in the text, which JSON readers do not see.
 */
export const jsonWithEndpointsOf = (change: SliceChange, value: { readonly endpoints: unknown }, before = '', after = ''): Buffer => {
  const endpoints = endpointsJsonOf(change);
  const rest = JSON.stringify({ ...value, endpoints: undefined });
  const head = rest === '{}' ? `${before}{"endpoints":` : `${before}${rest.slice(0, -1)},"endpoints":`;
  return Buffer.concat([Buffer.from(head), endpoints, Buffer.from(`}${after}`)]);
};

/** JSON.stringify(change.slice.endpoints) as UTF-8, nearly all of any JSON that carries the change. */
export const endpointsJsonOf = (change: SliceChange): Buffer => {
  let endpoints = endpointsJson.get(change);
  if (endpoints === undefined) {
    endpoints = recentSlices.json(`${change.slice.namespace}/${change.slice.name}`, change.slice.endpoints);
    endpointsJson.set(change, endpoints);
  }
  return endpoints;
};

/** A change log row's JSON, as a commit notice carries it. */
export const changeRowJson = (c: SliceChange): string =>
  jsonWithEndpointsOf(c, c.slice, `{"rv":"${c.resourceVersion}","type":"${c.type}","event_ids":${JSON.stringify(c.eventIds)},"slice":`, '}').toString();
