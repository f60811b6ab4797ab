import {
  deterministicSliceIdentity,
  endpointIdOf,
  evolveEndpoint,
  eventServiceKey,
  reconcileChanges,
  reconcileSlices,
  type EndpointRecord,
  type RecordedEvent,
} from '@lib/domain';
import { storedEndpoint, type ProjectedLeaseWrite } from '@lib/persistence';
import type { PendingWrite } from './coalesce-writes';
import { projectedLeaseWrites } from './lease-writes';
import type { ServiceModel } from './service-model';

/** What an applied command changed, for the rows, slices and lease table of its transaction. */
export interface CommandEffects {
  readonly writes: readonly PendingWrite[];
  readonly leaseWrites: readonly ProjectedLeaseWrite[];
  /** Endpoints whose rows change: added, changed or removed. */
  readonly endpointIds: readonly string[];
}

/**
 * Folds a command the judge let through into its service's model, in place, and reconciles the
 * slices it changes. Endpoint events touch only the endpoints they name; a new or redefined
 * service is reconciled whole (its ports, labels or families may move every endpoint).
 */
export const applyCommand = (model: ServiceModel, events: readonly RecordedEvent[], maxEndpointsPerSlice: number): CommandEffects => {
  const first = events[0].metadata;
  const last = events[events.length - 1].metadata;
  const before = new Map<string, EndpointRecord | undefined>();
  const changed = new Set<string>();
  let leasedBefore: string[] = [];
  let redefined = false;
  for (const { event, metadata } of events) {
    switch (event.type) {
      case 'ServiceRegistered':
        if (!model.definition) {
          model.uid = metadata.id;
          model.createdAt = metadata.time;
        }
        model.definition = event.data.service;
        redefined = true;
        break;
      case 'ServiceDeleted':
        leasedBefore = [...model.endpoints].filter(([, entry]) => entry.lease).map(([id]) => id);
        for (const [id, entry] of model.endpoints) {
          if (!before.has(id)) before.set(id, entry);
          changed.add(id);
        }
        model.endpoints.clear();
        model.definition = undefined;
        redefined = true;
        break;
      default: {
        // evolve is total: an endpoint event without its service changes nothing.
        if (!model.definition) break;
        const id = endpointIdOf(event);
        const current = model.endpoints.get(id);
        if (!before.has(id)) before.set(id, current);
        const next = evolveEndpoint(current, { event, metadata });
        if (next === current) break;
        changed.add(id);
        if (next) model.endpoints.set(id, storedEndpoint(next, first.commandId, current?.resourceVersion ?? '0'));
        else model.endpoints.delete(id);
      }
    }
  }
  model.lastCommandId = first.commandId;

  // Names, uids and timestamps come from the log, so a replay rebuilds identical slices.
  const options = { maxEndpointsPerSlice, ...deterministicSliceIdentity(first.id), now: last.time };
  // Endpoints whose stored slice entry is not what their definition alone gives (an address
  // reorder, which the reconciler does not write) are planned as changed: the incremental planner
  // then walks their slices as the full one would.
  const planned = new Set([...changed, ...[...model.divergent].filter((id) => model.endpoints.has(id))]);
  const plan =
    redefined || !model.definition
      ? reconcileSlices(model.toState(), model.slices, options)
      : reconcileChanges(
          model.definition,
          [...planned].map((id) => ({ id, endpoint: model.endpoints.get(id)?.definition })),
          model.slices,
          (id) => model.slicesOf(id),
          options,
        );
  model.applyPlan(plan);
  model.checkDivergence(redefined ? model.endpoints.keys() : planned);
  const eventIds = events.map((e) => e.metadata.id);
  const writes: PendingWrite[] = [
    ...plan.create.map((slice) => ({ type: 'ADDED' as const, slice, eventIds })),
    ...plan.update.map((slice) => ({ type: 'MODIFIED' as const, slice, eventIds })),
    ...plan.delete.map((slice) => ({ type: 'DELETED' as const, slice, eventIds })),
  ];
  const { namespace, name } = eventServiceKey(events[0].event);
  const leaseWrites = projectedLeaseWrites(
    events,
    { namespace, serviceName: name },
    { record: (id) => before.get(id), leasedIds: () => leasedBefore },
    { record: (id) => model.endpoints.get(id), leasedIds: () => [] },
  );
  return { writes, leaseWrites, endpointIds: [...changed] };
};
