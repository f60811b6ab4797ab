import { serviceStateOf, type EndpointRecord, type EndpointSlice, type JudgedState, type ServiceDefinition, type ServiceState, type SliceEndpoint, type SlicePlan } from '@lib/domain';
import type { StoredEndpoint, StoredService } from '@lib/persistence';

/** An endpoint as the projector holds it: the log's record and the command that changed it last. */
export interface EndpointEntry extends EndpointRecord {
  readonly lastCommandId: string;
  /** Filled in when the transaction that changed it takes its resourceVersions. */
  resourceVersion: string;
}

/**
 * One service as its partition's projector holds it between commands: definition, endpoints,
 * slices, and which slices hold each endpoint. Mutated in place by the one writer of the
 * partition; the cache drops it whenever a transaction that touched it fails.
 *
 * A model may hold only some endpoints (`complete` false): those the commands so far named, and
 * every endpoint with several addresses, the only ones whose slice entry can keep an address order
 * their definition lost (`divergent`). A command on some endpoints needs no more: the incremental
 * planner takes the others from the slices. A command on the whole service needs them all.
 */
export class ServiceModel implements JudgedState {
  definition: ServiceDefinition | undefined;
  uid = '';
  createdAt = '';
  lastCommandId = '';
  resourceVersion = '0';
  readonly endpoints = new Map<string, EndpointEntry>();
  /** Sorted by name: the reconciler's list order. */
  slices: EndpointSlice[] = [];
  private readonly sliceNames = new Map<string, string[]>();
  /** Endpoints whose slice entry keeps an address order their definition no longer has. */
  readonly divergent = new Set<string>();
  /** False while only some endpoints are loaded: `knows` tells which ids it can answer for. */
  complete = true;
  /** Of a partial model: ids looked up and not found (forgotten beyond MAX_ABSENT: a new lookup answers again). */
  private readonly absent = new Set<string>();

  /** `lookedUp`: for a partial model, the ids asked for (those not in `endpoints` are absent). */
  static load(
    stored: StoredService | undefined,
    endpoints: ReadonlyMap<string, StoredEndpoint>,
    slices: readonly EndpointSlice[],
    lookedUp?: Iterable<string>,
  ): ServiceModel {
    const model = new ServiceModel();
    if (lookedUp !== undefined) {
      model.complete = false;
      model.rememberAbsent(lookedUp, endpoints);
    }
    if (stored) {
      model.definition = stored.definition;
      model.uid = stored.uid;
      model.createdAt = stored.createdAt;
      model.lastCommandId = stored.lastCommandId;
      model.resourceVersion = stored.resourceVersion;
    }
    for (const [id, endpoint] of endpoints) model.endpoints.set(id, { ...endpoint });
    model.slices = [...slices].sort(byName);
    for (const slice of model.slices) model.reindex(undefined, slice);
    model.checkDivergence(model.endpoints.keys());
    return model;
  }

  /**
   * Re-derives which of these endpoints sit in a slice in an address order other than their
   * definition's: one pass over the entries of the slices holding those with several addresses
   * (at load, every entry once). An endpoint with one address has no order to lose: no pass.
   */
  checkDivergence(ids: Iterable<string>): void {
    const wanted = new Set<string>();
    const holding = new Set<string>();
    for (const id of ids) {
      this.divergent.delete(id);
      if ((this.endpoints.get(id)?.definition.addresses.length ?? 0) < 2) continue;
      wanted.add(id);
      for (const name of this.slicesOf(id)) holding.add(name);
    }
    if (holding.size === 0) return;
    for (const slice of this.slices) {
      if (!holding.has(slice.name)) continue;
      for (const entry of slice.endpoints) {
        const id = entry.targetRef.name;
        if (!wanted.has(id)) continue;
        const addresses = this.endpoints.get(id)?.definition.addresses;
        if (addresses === undefined) continue;
        const inOrder = addresses.filter((a) => entry.addresses.includes(a));
        if (entry.addresses.some((a, i) => a !== inOrder[i])) this.divergent.add(id);
      }
    }
  }

  endpoint(id: string): EndpointEntry | undefined {
    return this.endpoints.get(id);
  }

  /** Whether `endpoints` tells the truth about this id: always for a complete model. */
  knows(id: string): boolean {
    return this.complete || this.endpoints.has(id) || this.absent.has(id);
  }

  /** A partial model takes the rows of endpoints it had not looked up (`found` among `asked`). */
  learn(found: ReadonlyMap<string, StoredEndpoint>, asked: Iterable<string>): void {
    for (const [id, endpoint] of found) this.endpoints.set(id, { ...endpoint });
    this.rememberAbsent(asked, found);
    this.checkDivergence(found.keys());
  }

  /** What the model weighs in the cache: its slice entries, or its endpoint rows when those are more. */
  get weight(): number {
    let entries = 0;
    for (const slice of this.slices) entries += slice.endpoints.length;
    return Math.max(entries, this.endpoints.size);
  }

  /** New ids are looked up once, then registered: remembering every one would grow without bound. */
  private rememberAbsent(asked: Iterable<string>, found: ReadonlyMap<string, unknown>): void {
    if (this.absent.size > MAX_ABSENT) this.absent.clear();
    for (const id of asked) if (!found.has(id)) this.absent.add(id);
  }

  /** Names of the slices holding the endpoint (one per address family it has). */
  slicesOf(id: string): readonly string[] {
    return this.sliceNames.get(id) ?? [];
  }

  /** The whole state, for a full reconcile (a new or redefined service): O(endpoints). */
  toState(): ServiceState | undefined {
    return this.definition && serviceStateOf({ definition: this.definition, uid: this.uid, createdAt: this.createdAt }, this.endpoints);
  }

  /** Applies a reconcile plan: the slice list and the endpoint → slice index follow, touching only written slices. */
  applyPlan(plan: SlicePlan): void {
    if (plan.create.length === 0 && plan.delete.length === 0 && this.replaceInPlace(plan.update)) return;
    const written = new Map<string, EndpointSlice | undefined>();
    for (const slice of [...plan.create, ...plan.update]) written.set(slice.name, slice);
    for (const slice of plan.delete) written.set(slice.name, undefined);
    if (written.size === 0) return;
    const kept: EndpointSlice[] = [];
    for (const slice of this.slices) {
      if (!written.has(slice.name)) {
        kept.push(slice);
        continue;
      }
      const next = written.get(slice.name);
      this.reindex(slice, next);
      if (next) kept.push(next);
      written.delete(slice.name);
    }
    const created = [...written.values()].filter((s): s is EndpointSlice => s !== undefined);
    for (const slice of created) this.reindex(undefined, slice);
    this.slices = created.length === 0 ? kept : [...kept, ...created].sort(byName);
  }

  /**
   * The common plan rewrites slices the list holds: each is found by name (the list is sorted) and
   * replaced where it stands, so a command into a service of 500 slices does not copy the list.
   * False, with nothing changed, when one of them is not in the list.
   */
  private replaceInPlace(updates: readonly EndpointSlice[]): boolean {
    const indexes = updates.map((slice) => this.indexOfSlice(slice.name));
    if (indexes.some((index) => index < 0)) return false;
    updates.forEach((next, i) => {
      this.reindex(this.slices[indexes[i]], next);
      this.slices[indexes[i]] = next;
    });
    return true;
  }

  private indexOfSlice(name: string): number {
    let low = 0;
    let high = this.slices.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = this.slices[middle].name;
      if (candidate === name) return middle;
      if (candidate < name) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The index follows one slice's change: only endpoints that left or joined it are touched. */
  private reindex(before: EndpointSlice | undefined, after: EndpointSlice | undefined): void {
    const name = (before ?? after)?.name as string;
    // The common writes keep the slice's ids in order: an update replaces endpoints in place, a
    // registration appends. Only the appended ids need indexing; no sets.
    if (before && after && extendsIds(before.endpoints, after.endpoints)) {
      for (let i = before.endpoints.length; i < after.endpoints.length; i++) this.addSliceOf(after.endpoints[i].targetRef.name, name);
      return;
    }
    const stayed = new Set<string>();
    if (before) {
      const remaining = new Set(after?.endpoints.map((e) => e.targetRef.name));
      for (const { targetRef } of before.endpoints) {
        if (remaining.has(targetRef.name)) stayed.add(targetRef.name);
        else this.removeSliceOf(targetRef.name, name);
      }
    }
    for (const { targetRef } of after?.endpoints ?? []) if (!stayed.has(targetRef.name)) this.addSliceOf(targetRef.name, name);
  }

  private addSliceOf(id: string, name: string): void {
    const names = this.sliceNames.get(id);
    if (names) names.push(name);
    else this.sliceNames.set(id, [name]);
  }

  private removeSliceOf(id: string, name: string): void {
    const names = this.sliceNames.get(id);
    if (!names) return;
    const rest = names.filter((n) => n !== name);
    if (rest.length > 0) this.sliceNames.set(id, rest);
    else this.sliceNames.delete(id);
  }
}

const MAX_ABSENT = 10_000;

const byName = (a: EndpointSlice, b: EndpointSlice): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Whether `after` starts with `before`'s endpoint ids, in order (the same ids, or more appended). */
const extendsIds = (before: readonly SliceEndpoint[], after: readonly SliceEndpoint[]): boolean => {
  if (after.length < before.length) return false;
  for (let i = 0; i < before.length; i++) if (before[i].targetRef.name !== after[i].targetRef.name) return false;
  return true;
};
