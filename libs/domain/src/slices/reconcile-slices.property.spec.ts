import type { AddressType, EndpointDefinition, Labels, ServiceDefinition } from '../registry/model';
import type { ServiceState } from '../registry/state';
import { desiredEndpoints } from './desired-endpoints';
import type { EndpointSlice } from './endpoint-slice';
import { endpointIdentity } from './endpoint-identity';
import { portSetKey } from './port-set';
import { reconcileSlices } from './reconcile-slices';
import { aService, anEndpoint, applyPlan, deepFreeze, options } from './testing/builders';

// mulberry32: a seeded generator, so every failing sequence can be replayed from its seed.
const seeded = (seed: number) => {
  let t = seed >>> 0;
  const next = (): number => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[int(items.length)] as T;
  };
  return { int, pick, chance: (p: number): boolean => next() < p };
};
type Random = ReturnType<typeof seeded>;

const FAMILIES: readonly (readonly AddressType[])[] = [['IPv4'], ['IPv6'], ['IPv4', 'IPv6']];
const ZONES = [undefined, 'z1', 'z2'];
const NODES = [undefined, 'n1', 'n2', 'n3'];

interface Model {
  readonly definition: ServiceDefinition;
  readonly endpoints: readonly EndpointDefinition[];
  readonly counter: number;
}

const newEndpoint = (random: Random, n: number): EndpointDefinition => {
  const v4 = `10.${(n >> 8) & 255}.${n & 255}.1`;
  const v6 = `fd00::${n.toString(16)}`;
  const ready = random.chance(0.8);
  return anEndpoint({
    id: `i-${n}`,
    addresses: random.pick([[v4], [v6], [v4, v6], [v4, v6]]),
    conditions: { ready, serving: ready || random.chance(0.5), terminating: !ready && random.chance(0.5) },
    ...withOptional('zone', random.pick(ZONES)),
    ...withOptional('nodeName', random.pick(NODES)),
    ports: random.chance(0.15) ? [{ name: 'http', protocol: 'TCP', port: random.pick([8080, 9000, 9001]) }] : [],
  });
};

const withOptional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

const replaceAt = (endpoints: readonly EndpointDefinition[], i: number, next: EndpointDefinition) =>
  endpoints.map((e, j) => (j === i ? next : e));

const mutate = (random: Random, model: Model): Model => {
  const { definition, endpoints } = model;
  const i = random.int(Math.max(endpoints.length, 1));
  const target = endpoints[i];
  switch (random.int(11)) {
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
    case 7:
      return {
        ...model,
        definition: {
          ...definition,
          labels: random.pick<Labels>([{}, { app: 'web' }, { app: 'api', tier: '1' }, { 'kubernetes.io/service-name': 'x', app: 'web' }]),
        },
      };
    case 8: {
      const { trafficDistribution: _td, ...rest } = definition;
      const next = random.pick([undefined, 'PreferClose', 'PreferSameZone', 'PreferSameNode'] as const);
      return { ...model, definition: next === undefined ? rest : { ...rest, trafficDistribution: next } };
    }
    case 9:
      return { ...model, definition: { ...definition, addressTypes: random.pick(FAMILIES) } };
    default:
      return {
        ...model,
        definition: {
          ...definition,
          ports: random.pick([
            [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
            [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8081 }],
            [
              { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
              { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
            ],
            [],
          ] as const),
        },
      };
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
