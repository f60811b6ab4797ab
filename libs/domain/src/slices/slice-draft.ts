import type { AddressType, Labels } from '../registry/model';
import type { EndpointSlice, SliceEndpoint, SlicePort } from './endpoint-slice';

/** Slice content while the reconciler is still filling it; metadata is added when the plan is built. */
export interface SliceDraft {
  readonly addressType: AddressType;
  readonly ports: readonly SlicePort[];
  readonly labels: Labels;
  /** Appended to by the fill phases; never shared with an input slice. */
  readonly endpoints: SliceEndpoint[];
}

/** A stored slice and the content it will be rewritten with (or keep, when unchanged). */
export interface DraftOf {
  readonly existing: EndpointSlice;
  readonly draft: SliceDraft;
}

export interface FamilyWrites {
  readonly create: readonly SliceDraft[];
  readonly update: readonly DraftOf[];
  readonly delete: readonly EndpointSlice[];
}
