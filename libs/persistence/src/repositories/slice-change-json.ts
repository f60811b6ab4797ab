import { EndpointTexts } from './endpoint-texts';
import type { SliceChange } from './slice-change.repository';

const endpointsText = new WeakMap<SliceChange, string>();
/** About the slices a busy projector rewrites within seconds (G1: 200 slices of 60 to 100 endpoints of about 170 characters), a few MB of heap. */
const recentSlices = new EndpointTexts(4_000_000);

/**
 * JSON.stringify(value), where `value.endpoints` is the change's slice's endpoints, serialized once
 * per change (and only those its slice's last change did not write, see EndpointTexts): a change
 * goes into the change log, the slice table and the slice topic, and its endpoints are nearly all
 * of its bytes. Held per change, not per slice, so the text goes when the change has been relayed
 * while the cached slice lives on. Endpoints come last in the text, which JSON readers do not see.
 */
export const stringifyWithEndpointsOf = (change: SliceChange, value: { readonly endpoints: unknown }): string => {
  let endpoints = endpointsText.get(change);
  if (endpoints === undefined) {
    endpoints = recentSlices.json(`${change.slice.namespace}/${change.slice.name}`, change.slice.endpoints);
    endpointsText.set(change, endpoints);
  }
  const rest = JSON.stringify({ ...value, endpoints: undefined });
  return rest === '{}' ? `{"endpoints":${endpoints}}` : `${rest.slice(0, -1)},"endpoints":${endpoints}}`;
};

/** A change log row's JSON, as a commit notice carries it. */
export const changeRowJson = (c: SliceChange): string =>
  `{"rv":"${c.resourceVersion}","type":"${c.type}","event_ids":${JSON.stringify(c.eventIds)},"slice":${stringifyWithEndpointsOf(c, c.slice)}}`;
