import type { AddressType, Labels } from '../registry/model';
import type { SliceEndpoint, SlicePort } from './endpoint-slice';
import { equalBeyondIdentity, equalHints } from './endpoint-identity';
import { equalLabels } from './slice-labels';

export interface SliceContent {
  readonly addressType: AddressType;
  readonly labels: Labels;
  readonly endpoints: readonly SliceEndpoint[];
  readonly ports: readonly SlicePort[];
}

// k8s registry strategy (§1.8): generation is bumped iff addressType, endpoints, ports or labels
// changed semantically; metadata-only writes (annotations) keep it.
export const nextGeneration = (before: SliceContent & { readonly generation: number }, after: SliceContent): number =>
  sameContent(before, after) ? before.generation : before.generation + 1;

const sameContent = (a: SliceContent, b: SliceContent): boolean =>
  a.addressType === b.addressType &&
  equalLabels(a.labels, b.labels) &&
  sameList(a.ports, b.ports, samePort) &&
  sameList(a.endpoints, b.endpoints, sameEndpoint);

// endpoints and ports are atomic lists: order is part of the value.
const sameList = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean =>
  a.length === b.length && a.every((item, i) => {
    const other = b[i];
    return other !== undefined && same(item, other);
  });

const samePort = (a: SlicePort, b: SlicePort): boolean =>
  a.name === b.name && a.protocol === b.protocol && a.port === b.port && a.appProtocol === b.appProtocol;

const sameEndpoint = (a: SliceEndpoint, b: SliceEndpoint): boolean =>
  sameList(a.addresses, b.addresses, (x, y) => x === y) &&
  a.hostname === b.hostname &&
  equalBeyondIdentity(a, b) &&
  equalHints(a.hints, b.hints);
