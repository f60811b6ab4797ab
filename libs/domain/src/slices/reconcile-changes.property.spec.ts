import type { EndpointDefinition, ServiceDefinition } from '../registry/model';
import type { ServiceState } from '../registry/state';
import type { EndpointSlice } from './endpoint-slice';
import { reconcileChanges, type EndpointChange } from './reconcile-changes';
import { reconcileSlices } from './reconcile-slices';
import type { SlicePlan } from './slice-plan';
import { aService, applyPlan, byName, deepFreeze, options, slicesHolding, writeCounts } from './testing/builders';
import {
  addressesFor,
  changeDefinition,
  DEFINITION_CHANGES,
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
  readonly endpoints: Readonly<Record<string, EndpointDefinition>>;
  readonly counter: number;
}

/** A command's effect: the endpoints it changed, or `undefined` when it changed the definition. */
interface Step {
  readonly command: string;
  readonly model: Model;
  readonly changed?: readonly string[];
}

const ids = (model: Model): string[] => Object.keys(model.endpoints);

const distinct = (random: Random, from: readonly string[], count: number): string[] => {
  const pool = [...from];
  const chosen: string[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(...pool.splice(random.int(pool.length), 1));
  return chosen;
};

const toggled = (conditions: EndpointDefinition['conditions']): EndpointDefinition['conditions'] => {
  const ready = !conditions.ready;
  return { ready, serving: ready || !conditions.serving, terminating: !ready && !conditions.terminating };
};

// Each re-registration keeps the id; `n` is a fresh number for addresses nobody used before, so an
// address change is never a mere reordering (outside reconcileChanges' contract).
const ALTERATIONS = ['topology', 'addresses', 'hostname', 'ports', 'family', 'conditions', 'identical'] as const;
type Alteration = (typeof ALTERATIONS)[number];

const alter = (random: Random, endpoint: EndpointDefinition, n: number, how: Alteration): EndpointDefinition => {
  switch (how) {
    case 'topology': {
      const { zone: _zone, nodeName: _node, ...rest } = endpoint;
      return {
        ...rest,
        conditions: random.chance(0.5) ? toggled(endpoint.conditions) : endpoint.conditions,
        ...withOptional('zone', random.pick(ZONES)),
        ...withOptional('nodeName', random.pick(NODES)),
      };
    }
    case 'addresses': {
      // Sometimes two addresses of one family, so identity has something to sort.
      const second = random.chance(0.2) ? [`10.${(n >> 8) & 255}.${n & 255}.2`] : [];
      return { ...endpoint, addresses: [...addressesFor(random, n), ...second] };
    }
    case 'hostname': {
      const { hostname: _hostname, ...rest } = endpoint;
      return { ...rest, ...withOptional('hostname', random.pick([undefined, 'a', 'b'])) };
    }
    case 'ports':
      return {
        ...endpoint,
        ports: random.chance(0.3) ? [] : [{ name: 'http', protocol: 'TCP', port: random.pick([8080, 9000, 9001]) }],
      };
    case 'family': {
      const v4 = endpoint.addresses.filter((address) => !address.includes(':'));
      const v6 = endpoint.addresses.filter((address) => address.includes(':'));
      if (v4.length > 0 && v6.length > 0) return { ...endpoint, addresses: random.chance(0.5) ? v4 : v6 };
      const [other] = v4.length > 0 ? [`fd00::${n.toString(16)}`] : [`10.${(n >> 8) & 255}.${n & 255}.1`];
      return { ...endpoint, addresses: [...endpoint.addresses, other as string] };
    }
    case 'conditions':
      return { ...endpoint, conditions: toggled(endpoint.conditions) };
    case 'identical':
      return endpoint;
  }
};

const withEndpoints = (model: Model, changed: readonly EndpointDefinition[], removed: readonly string[] = []): Model => {
  const endpoints = { ...model.endpoints };
  for (const id of removed) delete endpoints[id];
  for (const endpoint of changed) endpoints[endpoint.id] = endpoint;
  return { ...model, endpoints };
};

const reRegister = (random: Random, model: Model, count: number, how: () => Alteration, command: string): Step => {
  const chosen = distinct(random, ids(model), count);
  const changed = chosen.map((id, k) => alter(random, model.endpoints[id] as EndpointDefinition, model.counter + k, how()));
  return { command, model: { ...withEndpoints(model, changed), counter: model.counter + chosen.length }, changed: chosen };
};

const deregister = (model: Model, removed: readonly string[], command: string): Step => ({
  command,
  model: withEndpoints(model, [], removed),
  changed: removed,
});

const command = (random: Random, model: Model): Step => {
  const choice = random.int(15);
  switch (choice) {
    case 0:
    case 1: {
      const count = choice === 0 ? 1 : 2 + random.int(24);
      const added = Array.from({ length: count }, (_, k) => newEndpoint(random, model.counter + k));
      // A bulk registration may also re-register endpoints the service already has.
      const again = choice === 0 ? [] : distinct(random, ids(model), random.int(4));
      const altered = again.map((id, k) =>
        alter(random, model.endpoints[id] as EndpointDefinition, model.counter + count + k, random.pick(ALTERATIONS)),
      );
      return {
        command: choice === 0 ? 'register one' : `register ${count} + re-register ${again.length}`,
        model: { ...withEndpoints(model, [...added, ...altered]), counter: model.counter + count + again.length },
        changed: [...added.map((e) => e.id), ...again],
      };
    }
    case 2:
      return reRegister(random, model, 1 + random.int(3), () => 'topology', 're-register: conditions/zone/node');
    case 3:
      return reRegister(random, model, 1, () => 'addresses', 're-register: new addresses');
    case 4:
      return reRegister(random, model, 1, () => 'hostname', 're-register: hostname');
    case 5:
      return reRegister(random, model, 1 + random.int(2), () => 'ports', 're-register: instance ports');
    case 6:
      return reRegister(random, model, 1, () => 'family', 're-register: dual-stack <-> single family');
    case 7:
      return reRegister(random, model, 1, () => 'conditions', 'set conditions');
    case 8:
      return reRegister(random, model, 2 + random.int(6), () => 'conditions', 'set conditions of several');
    case 9:
      return reRegister(random, model, 1 + random.int(2), () => 'identical', 're-register unchanged');
    case 10:
      return deregister(model, distinct(random, ids(model), 1), 'deregister one');
    case 11: {
      const all = ids(model);
      return deregister(model, distinct(random, all, Math.ceil(all.length * 0.3 * random.int(3))), 'deregister several');
    }
    case 12: {
      const family = random.pick(model.definition.addressTypes);
      const isV6 = family === 'IPv6';
      const removed = ids(model).filter((id) =>
        (model.endpoints[id] as EndpointDefinition).addresses.some((address) => address.includes(':') === isV6),
      );
      return deregister(model, removed, `deregister every ${family} endpoint`);
    }
    default: {
      if (random.chance(0.5)) return reRegister(random, model, 1, () => random.pick(ALTERATIONS), 're-register one');
      const change = random.pick(DEFINITION_CHANGES);
      return { command: `change ${change}`, model: { ...model, definition: changeDefinition(random, model.definition, change) } };
    }
  }
};

const toState = (model: Model): ServiceState => aService({ ...model.definition, endpoints: Object.values(model.endpoints) });

const toChanges = (model: Model, changed: readonly string[], random: Random): EndpointChange[] =>
  deepFreeze(
    distinct(random, changed, changed.length).map((id) => {
      const endpoint = model.endpoints[id];
      return endpoint === undefined ? { id } : { id, endpoint };
    }),
  );

const describePlan = (plan: SlicePlan): string => {
  const { create, update, delete: remove } = writeCounts(plan);
  return `${create}/${update}/${remove}`;
};

describe('reconcileChanges equals reconcileSlices (seeded random command sequences)', () => {
  const SEQUENCES = 25;
  const STEPS = 40;

  it.each([1, 3, 7, 100])('M=%i: the same plan at every step', (max) => {
    const failures: string[] = [];
    const seen = { steps: 0, create: 0, update: 0, delete: 0, recycled: 0, placeholder: 0 };
    for (let sequence = 0; sequence < SEQUENCES && failures.length === 0; sequence += 1) {
      const seed = 7_000 + max * 1_000 + sequence;
      const random = seeded(seed);
      const counter = random.int(3) * (max + 2);
      let model: Model = {
        definition: aService({ addressTypes: random.pick(FAMILIES) }).definition,
        endpoints: Object.fromEntries(
          Array.from({ length: counter }, (_, n) => newEndpoint(random, n)).map((e) => [e.id, e] as const),
        ),
        counter,
      };
      let slices: readonly EndpointSlice[] = byName(reconcileSlices(toState(model), [], options({ maxEndpointsPerSlice: max })).create);

      for (let step = 0; step < STEPS && failures.length === 0; step += 1) {
        const next = command(random, model);
        const optionsNow = () => options({ maxEndpointsPerSlice: max }, `seed-${seed}-${step}`);
        const full = reconcileSlices(toState(next.model), slices, optionsNow());
        if (next.changed !== undefined) {
          const changes = toChanges(next.model, next.changed, random);
          const incremental = reconcileChanges(next.model.definition, changes, slices, slicesHolding(slices), optionsNow());
          seen.steps += 1;
          if (JSON.stringify(incremental) !== JSON.stringify(full)) {
            failures.push(
              `seed ${seed} step ${step} (${next.command}): incremental ${describePlan(incremental)}, full ${describePlan(full)}`,
            );
            expect({ seed, step, plan: incremental }).toEqual({ seed, step, plan: full });
          }
        }
        seen.create += full.create.length > 0 ? 1 : 0;
        seen.update += full.update.length > 0 ? 1 : 0;
        seen.delete += full.delete.length > 0 ? 1 : 0;
        seen.recycled += full.update.some((s) => !slices.some((old) => old.name === s.name && old.addressType === s.addressType && old.ports.length === s.ports.length)) ? 1 : 0;
        seen.placeholder += full.update.concat(full.create).some((s) => s.ports.length === 0 && s.endpoints.length === 0) ? 1 : 0;
        slices = byName(applyPlan(slices, full));
        model = next.model;
      }
    }

    expect(failures).toEqual([]);
    expect(seen.steps).toBeGreaterThan(SEQUENCES * STEPS * 0.8);
    expect(Object.values(seen).every((count) => count > 0)).toBe(true);
  });
});
