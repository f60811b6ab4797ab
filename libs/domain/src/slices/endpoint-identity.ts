import { compareText } from './compare-text';
import type { SliceEndpoint, SliceEndpointHints } from './endpoint-slice';

// k8s util/endpointset.go endpointHash: sorted addresses, hostname (missing == ""), and the
// target's namespace/name. Everything else changes in place in whichever slice holds the endpoint.
// Each part is length-prefixed: as unambiguous as JSON for any text, and a third of its cost (a
// cold load keys every endpoint of the services it loads).
export const endpointIdentity = (endpoint: SliceEndpoint): string => {
  const addresses = sortedAddresses(endpoint.addresses);
  let key = `${addresses.length}`;
  for (const part of addresses) key += `|${part.length}:${part}`;
  for (const part of [endpoint.hostname ?? '', endpoint.targetRef.namespace, endpoint.targetRef.name]) key += `|${part.length}:${part}`;
  return key;
};

/**
 * endpointIdentity(a) === endpointIdentity(b), without building either key: the fill phases match
 * existing entries to desired endpoints by id and then this, and building both keys for every
 * endpoint of a touched slice was most of an incremental command's cost.
 */
export const sameIdentity = (a: SliceEndpoint, b: SliceEndpoint): boolean =>
  a.targetRef.name === b.targetRef.name &&
  a.targetRef.namespace === b.targetRef.namespace &&
  (a.hostname ?? '') === (b.hostname ?? '') &&
  sameAddressSet(a.addresses, b.addresses);

const sameAddressSet = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const right = sortedAddresses(b);
  return sortedAddresses(a).every((address, i) => address === right[i]);
};

const sortedAddresses = (addresses: readonly string[]): readonly string[] =>
  addresses.length > 1 ? [...addresses].sort(compareText) : addresses;

// k8s EndpointsEqualBeyondHash: hints are deliberately left out, because the reconciler decides
// hint rewrites in a later stage (§3.11) after the fill phases have placed every endpoint; the
// reconciler compares them with `equalHints` at that point, so a hint difference still causes an
// update. Unset and "" differ for nodeName and zone, as nil and "" differ upstream.
export const equalBeyondIdentity = (a: SliceEndpoint, b: SliceEndpoint): boolean =>
  a.nodeName === b.nodeName &&
  a.zone === b.zone &&
  a.conditions.ready === b.conditions.ready &&
  a.conditions.serving === b.conditions.serving &&
  a.conditions.terminating === b.conditions.terminating &&
  a.targetRef.kind === b.targetRef.kind &&
  a.targetRef.namespace === b.targetRef.namespace &&
  a.targetRef.name === b.targetRef.name;

// An empty hint list means the same as a missing one, as nil and empty are equal to apimachinery's
// semantic equality.
export const equalHints = (a: SliceEndpointHints | undefined, b: SliceEndpointHints | undefined): boolean =>
  sameNames(a?.forZones, b?.forZones) && sameNames(a?.forNodes, b?.forNodes);

const sameNames = (
  a: readonly { readonly name: string }[] | undefined,
  b: readonly { readonly name: string }[] | undefined,
): boolean => {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((entry, i) => entry.name === right[i]?.name);
};
