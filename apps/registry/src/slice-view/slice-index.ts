import { SERVICE_NAME_LABEL, serviceKey, type EndpointSlice } from '@lib/domain';

export type SliceChangeKind = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface IndexedChange {
  readonly type: SliceChangeKind;
  readonly slice: EndpointSlice;
  readonly resourceVersion: bigint;
}

/** The service a slice belongs to, as its label names it (every slice the registry writes has one). */
export const serviceKeyOf = (slice: EndpointSlice): string | undefined => {
  const service = slice.labels[SERVICE_NAME_LABEL];
  return service === undefined ? undefined : serviceKey(slice.namespace, service);
};

const NO_SLICES: readonly EndpointSlice[] = Object.freeze([]);

/**
 * The current EndpointSlices of every service, at one resourceVersion: a snapshot, then the
 * changes after it, in order. A change at or below the resourceVersion already reflected is
 * ignored, which is what makes the seam between the snapshot and the live changes exact.
 */
export class SliceIndex {
  /** namespace/service -> slice name -> slice. */
  private readonly byService = new Map<string, Map<string, EndpointSlice>>();
  /** Arrays handed out by slicesOf, rebuilt only after the service changed. */
  private readonly listed = new Map<string, readonly EndpointSlice[]>();
  private reflected = 0n;

  get resourceVersion(): bigint {
    return this.reflected;
  }

  /** Replaces everything with a snapshot taken at `resourceVersion`. */
  load(slices: readonly EndpointSlice[], resourceVersion: bigint): void {
    this.byService.clear();
    this.listed.clear();
    for (const slice of slices) this.put(slice);
    this.reflected = resourceVersion;
  }

  /** Applies one change; returns the service key it touched, or undefined when it was already reflected. */
  apply(change: IndexedChange): string | undefined {
    if (change.resourceVersion <= this.reflected) return undefined;
    this.reflected = change.resourceVersion;
    return change.type === 'DELETED' ? this.remove(change.slice) : this.put(change.slice);
  }

  /** The service's slices in name order; empty for a service without slices (unknown or deleted). */
  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    const key = serviceKey(namespace, service);
    const cached = this.listed.get(key);
    if (cached) return cached;
    const slices = this.byService.get(key);
    if (!slices) return NO_SLICES;
    const list = Object.freeze([...slices.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
    this.listed.set(key, list);
    return list;
  }

  /** namespace/service keys of every service that has at least one slice. */
  serviceKeys(): IterableIterator<string> {
    return this.byService.keys();
  }

  private put(slice: EndpointSlice): string | undefined {
    const key = serviceKeyOf(slice);
    if (key === undefined) return undefined;
    let slices = this.byService.get(key);
    if (!slices) {
      slices = new Map();
      this.byService.set(key, slices);
    }
    slices.set(slice.name, slice);
    this.listed.delete(key);
    return key;
  }

  private remove(slice: EndpointSlice): string | undefined {
    const key = serviceKeyOf(slice);
    if (key === undefined) return undefined;
    const slices = this.byService.get(key);
    if (!slices?.delete(slice.name)) return key;
    if (slices.size === 0) this.byService.delete(key);
    this.listed.delete(key);
    return key;
  }
}
