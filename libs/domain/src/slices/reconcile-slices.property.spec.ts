import type { EndpointDefinition, ServiceDefinition } from '../registry/model';
import type { ServiceState } from '../registry/state';
import { desiredEndpoints } from './desired-endpoints';
import type { EndpointSlice } from './endpoint-slice';
import { endpointIdentity } from './endpoint-identity';
import { portSetKey } from './port-set';
import { reconcileSlices } from './reconcile-slices';
import { aService, applyPlan, deepFreeze, options } from './testing/builders';
import {
  changeDefinition,
  DEFINITION_CHANGES,
  type DefinitionChange,
  FAMILIES,
  NODES,
  newEndpoint,
  seeded,
  withOptional,
  ZONES,
  type Random,
} from './testing/random-service';

interface Model {
  readonly definition: ServiceDefinition;
  readonly endpoints: readonly EndpointDefinition[];
  readonly counter: number;
}

const replaceAt = (endpoints: readonly EndpointDefinition[], i: number, next: EndpointDefinition) =>
  endpoints.map((e, j) => (j === i ? next : e));

const mutate = (random: Random, model: Model): Model => {
  const { definition, endpoints } = model;
  const i = random.int(Math.max(endpoints.length, 1));
  const target = endpoints[i];
  const choice = random.int(11);
  switch (choice) {
    case 0:
    case 1: {
      const count = 1 + random.int(random.chance(0.2) ? 150 : 12);
      const added = Array.from({ length: count }, (_, k) => newEndpoint(random, model.counter + k));
      return { ...model, endpoints: [...endpoints, ...added], counter: model.counter + count };
    }
    case 2: {
      const keep = random.chance(0.1) ? 0 : 0.7;
      return { ...model, endpoints: endpoints.filter(() => random.chance(keep)) };
    }
    case 3: {
      if (target === undefined) return model;
      const ready = !target.conditions.ready;
      return { ...model, endpoints: replaceAt(endpoints, i, { ...target, conditions: { ready, serving: ready, terminating: false } }) };
    }
    case 4: {
      if (target === undefined) return model;
      const { zone: _zone, nodeName: _node, ...rest } = target;
      return {
        ...model,
        endpoints: replaceAt(endpoints, i, { ...rest, ...withOptional('zone', random.pick(ZONES)), ...withOptional('nodeName', random.pick(NODES)) }),
      };
    }
    case 5: {
      if (target === undefined) return model;
      const moved = newEndpoint(random, model.counter);
      return { ...model, endpoints: replaceAt(endpoints, i, { ...target, addresses: moved.addresses }), counter: model.counter + 1 };
    }
    case 6: {
      if (target === undefined) return model;
      return { ...model, endpoints: replaceAt(endpoints, i, { ...target, ports: [{ name: 'http', protocol: 'TCP', port: random.pick([8080, 9000]) }] }) };
    }
    default:
      return { ...model, definition: changeDefinition(random, definition, DEFINITION_CHANGES[choice - 7] as DefinitionChange) };
  }
};

const toState = (model: Model): ServiceState => aService({ ...model.definition, endpoints: model.endpoints });

/** Every broken invariant, described; empty when the result is sound. */
const violations = (state: ServiceState, before: readonly EndpointSlice[], after: readonly EndpointSlice[], max: number): string[] => {
  const found: string[] = [];
  const families = state.definition.addressTypes;
  const groups = desiredEndpoints(state);
  for (const family of families) {
    const slices = after.filter((s) => s.addressType === family);
    if (slices.length === 0) found.push(`${family}: no slice (placeholder missing)`);
    const held = new Map<string, { endpoint: unknown; portKey: string; count: number }>();
    for (const slice of slices) {
      for (const endpoint of slice.endpoints) {
        const key = endpointIdentity(endpoint);
        const seen = held.get(key);
        held.set(key, { endpoint, portKey: portSetKey(slice.ports), count: (seen?.count ?? 0) + 1 });
      }
    }
    const desired = groups.filter((g) => g.addressType === family).flatMap((g) => g.endpoints.map((e) => ({ e, portKey: g.portKey })));
    for (const { e, portKey } of desired) {
      const entry = held.get(endpointIdentity(e));
      if (entry === undefined) found.push(`${family}: ${e.targetRef.name} missing`);
      else if (entry.count !== 1) found.push(`${family}: ${e.targetRef.name} held ${entry.count} times`);
      else if (entry.portKey !== portKey) found.push(`${family}: ${e.targetRef.name} in a slice with other ports`);
      else if (JSON.stringify(entry.endpoint) !== JSON.stringify(e)) found.push(`${family}: ${e.targetRef.name} stale`);
    }
    if (held.size !== desired.length) found.push(`${family}: ${held.size} endpoints held, ${desired.length} desired`);
  }
  const previous = new Map(before.map((s) => [s.name, s] as const));
  for (const slice of after) {
    if (!families.includes(slice.addressType)) found.push(`${slice.name}: unserved family ${slice.addressType}`);
    if (slice.endpoints.length > max) found.push(`${slice.name}: ${slice.endpoints.length} > M=${max}`);
    if (slice.endpoints.length === 0 && slice.ports.length > 0) found.push(`${slice.name}: empty but has ports`);
    const old = previous.get(slice.name);
    if (old !== undefined && slice.generation !== old.generation && slice.generation !== old.generation + 1) {
      found.push(`${slice.name}: generation ${old.generation} -> ${slice.generation}`);
    }
  }
  if (new Set(after.map((s) => s.name)).size !== after.length) found.push('duplicate slice names');
  return found;
};

describe('reconcileSlices properties (seeded random mutation sequences)', () => {
  const SEQUENCES = 30;
  const STEPS = 20;

  it.each([1, 3, 7, 100])('M=%i: complete, within M, and a fixed point after applying', (max) => {
    const failures: string[] = [];
    for (let sequence = 0; sequence < SEQUENCES && failures.length === 0; sequence += 1) {
      const seed = max * 1_000 + sequence;
      const random = seeded(seed);
      let model: Model = {
        definition: aService({ addressTypes: random.pick(FAMILIES) }).definition,
        endpoints: [],
        counter: 0,
      };
      let slices: readonly EndpointSlice[] = deepFreeze([]);
      for (let step = 0; step < STEPS && failures.length === 0; step += 1) {
        model = mutate(random, model);
        const state = toState(model);
        const plan = reconcileSlices(state, slices, options({ maxEndpointsPerSlice: max }, `seed-${seed}-${step}`));
        const after = applyPlan(slices, plan);
        const again = reconcileSlices(state, after, options({ maxEndpointsPerSlice: max }, `again-${seed}-${step}`));
        const writesAgain = again.create.length + again.update.length + again.delete.length;
        const broken = [
          ...violations(state, slices, after, max),
          ...(writesAgain === 0 ? [] : [`re-run wrote ${again.create.length}/${again.update.length}/${again.delete.length}`]),
        ];
        failures.push(...broken.map((problem) => `seed ${seed} step ${step}: ${problem}`));
        slices = after;
      }
    }

    expect(failures).toEqual([]);
  });
});
