import {
  deterministicSliceIdentity,
  endpointIdOf,
  evolveCommand,
  reconcileSlices,
  type EndpointDefinition,
  type EndpointEvent,
  type EndpointSlice,
  type RecordedEvent,
  type RegistryEvent,
  type ServiceDefinition,
  type ServiceState,
} from '@lib/domain';
import { applyCommand } from './apply-command';
import { ServiceModel } from './service-model';

// mulberry32: a failing sequence replays from its seed.
const seeded = (seed: number) => {
  let t = seed >>> 0;
  return (below: number): number => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return Math.floor((((r ^ (r >>> 14)) >>> 0) / 4294967296) * below);
  };
};

const SERVICE = { namespace: 'default', name: 'web', labels: {}, ports: [{ name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080 }] };

const endpoint = (n: number, random: (below: number) => number): EndpointDefinition => {
  const addresses = random(3) === 0 ? [`10.0.${n}.2`, `10.0.${n}.1`] : [`10.0.${n}.1`];
  const ready = random(4) !== 0;
  return {
    id: `i-${n}`,
    addresses: random(2) === 0 ? [...addresses].reverse() : addresses,
    conditions: { ready, serving: ready, terminating: false },
    ...(random(2) === 0 && { zone: `z${random(3)}` }),
    ports: random(6) === 0 ? [{ name: 'http', protocol: 'TCP', port: 9000 + random(2) }] : [],
  };
};

/** One random command's events: registrations (new, re-registered, addresses reordered), condition changes, removals. */
const command = (random: (below: number) => number, known: readonly EndpointDefinition[], next: () => number): RegistryEvent[] => {
  const ref = (id: string) => ({ namespace: 'default', serviceName: 'web', id });
  const pick = () => known[random(known.length)] as EndpointDefinition;
  switch (known.length === 0 ? 0 : random(5)) {
    case 0:
      return Array.from({ length: 1 + random(12) }, () => ({
        type: 'EndpointRegistered',
        data: { namespace: 'default', serviceName: 'web', endpoint: endpoint(next(), random) },
      }));
    case 1: {
      const old = pick();
      return [{ type: 'EndpointRegistered', data: { namespace: 'default', serviceName: 'web', endpoint: { ...old, addresses: [...old.addresses].reverse() } } }];
    }
    case 2: {
      const old = pick();
      return [{ type: 'EndpointRegistered', data: { namespace: 'default', serviceName: 'web', endpoint: { ...endpoint(Number(old.id.slice(2)), random), id: old.id } } }];
    }
    case 3: {
      const ready = random(2) === 0;
      return [{ type: 'EndpointConditionsChanged', data: { ...ref(pick().id), conditions: { ready, serving: true, terminating: !ready && random(2) === 0 } } }];
    }
    default:
      return [...new Set(Array.from({ length: 1 + random(4) }, () => pick().id))].map((id) => ({ type: 'EndpointDeregistered', data: ref(id) }));
  }
};

/** Records each command's events under the next command id, with deterministic ids and times. */
const recorder = () => {
  let sequence = 0;
  return (events: readonly RegistryEvent[]): RecordedEvent[] => {
    const commandId = `c${++sequence}`;
    return events.map((event, i) => ({
      event,
      metadata: { id: `${commandId}-e${i}`, time: `2026-01-01T00:00:${String(sequence % 60).padStart(2, '0')}Z`, actor: 't', commandId, commandSize: events.length },
    }));
  };
};

/** The model's endpoint → slice index, and the one its slices imply: they must agree after every command. */
const indexOf = (model: ServiceModel): Record<string, string[]> =>
  Object.fromEntries([...model.endpoints.keys()].map((id) => [id, [...model.slicesOf(id)].sort()]).filter(([, names]) => names.length > 0));
const indexFromSlices = (slices: readonly EndpointSlice[]): Record<string, string[]> => {
  const index: Record<string, string[]> = {};
  for (const slice of slices) for (const { targetRef } of slice.endpoints) (index[targetRef.name] ??= []).push(slice.name);
  return Object.fromEntries(Object.entries(index).map(([id, names]) => [id, names.sort()]));
};

describe('applyCommand: the projector model planned incrementally equals the full reconcile of the folded state', () => {
  it.each([1, 3, 7, 100])('keeps identical slices over random commands, maxEndpointsPerSlice %i', (max) => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seeded(seed * 7919 + max);
      let counter = 0;
      const recorded = recorder();
      const first = recorded([{ type: 'ServiceRegistered', data: { service: { ...SERVICE, addressTypes: ['IPv4'] } } }]);
      const model = ServiceModel.load(undefined, new Map(), []);
      applyCommand(model, first, max);
      let state: ServiceState | undefined = evolveCommand(undefined, first);
      let reference: EndpointSlice[] = [...model.slices];
      for (let step = 0; step < 40; step++) {
        const events = recorded(command(random, Object.values(state?.endpoints ?? {}), () => ++counter));
        applyCommand(model, events, max);
        state = evolveCommand(state, events);
        const plan = reconcileSlices(state, reference, { maxEndpointsPerSlice: max, ...deterministicSliceIdentity(events[0].metadata.id), now: events[events.length - 1].metadata.time });
        const written = new Map([...plan.create, ...plan.update].map((s) => [s.name, s]));
        const deleted = new Set(plan.delete.map((s) => s.name));
        reference = [...reference.filter((s) => !deleted.has(s.name)).map((s) => written.get(s.name) ?? s), ...plan.create.filter((s) => !reference.some((r) => r.name === s.name))]
          .sort((a, b) => (a.name < b.name ? -1 : 1));
        expect({ seed, step, slices: model.slices }).toEqual({ seed, step, slices: reference });
        expect({ seed, step, index: indexOf(model) }).toEqual({ seed, step, index: indexFromSlices(model.slices) });
      }
    }
  });

  it.each([1, 3, 7, 100])('plans the same on a model loaded with only the named and multi-address endpoints, maxEndpointsPerSlice %i', (max) => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seeded(seed * 104729 + max);
      let counter = 0;
      const recorded = recorder();
      const whole = ServiceModel.load(undefined, new Map(), []);
      applyCommand(whole, recorded([{ type: 'ServiceRegistered', data: { service: { ...SERVICE, addressTypes: ['IPv4'] } } }]), max);
      for (let step = 0; step < 40; step++) {
        const events = recorded(command(random, [...whole.endpoints.values()].map((e) => e.definition), () => ++counter));
        const named = new Set(events.map(({ event }) => endpointIdOf(event as EndpointEvent)));
        // What a cold load after a restart reads: the stored service, its slices, and only these rows.
        const loaded = new Map([...whole.endpoints].filter(([id, e]) => named.has(id) || e.definition.addresses.length > 1));
        const stored = { definition: whole.definition as ServiceDefinition, uid: whole.uid, createdAt: whole.createdAt, lastCommandId: whole.lastCommandId, resourceVersion: whole.resourceVersion };
        const partial = ServiceModel.load(stored, structuredClone(loaded), structuredClone(whole.slices), named);
        const wholeEffects = applyCommand(whole, events, max);
        const partialEffects = applyCommand(partial, events, max);
        expect({ seed, step, slices: partial.slices, writes: partialEffects.writes }).toEqual({ seed, step, slices: whole.slices, writes: wholeEffects.writes });
      }
    }
  });
});
