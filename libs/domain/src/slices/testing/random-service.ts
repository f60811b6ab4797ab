import type { AddressType, EndpointDefinition, Labels, ServiceDefinition } from '../../registry/model';
import { anEndpoint } from './builders';

// mulberry32: a seeded generator, so every failing sequence can be replayed from its seed.
export const seeded = (seed: number) => {
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
export type Random = ReturnType<typeof seeded>;

export const FAMILIES: readonly (readonly AddressType[])[] = [['IPv4'], ['IPv6'], ['IPv4', 'IPv6']];
export const ZONES = [undefined, 'z1', 'z2'];
export const NODES = [undefined, 'n1', 'n2', 'n3'];

/** Fresh addresses per `n`: one IPv4, one IPv6, or both. */
export const addressesFor = (random: Random, n: number): string[] => {
  const v4 = `10.${(n >> 8) & 255}.${n & 255}.1`;
  const v6 = `fd00::${n.toString(16)}`;
  return random.pick([[v4], [v6], [v4, v6], [v4, v6]]);
};

export const newEndpoint = (random: Random, n: number): EndpointDefinition => {
  const ready = random.chance(0.8);
  const addresses = addressesFor(random, n);
  return anEndpoint({
    id: `i-${n}`,
    addresses,
    conditions: { ready, serving: ready || random.chance(0.5), terminating: !ready && random.chance(0.5) },
    ...withOptional('zone', random.pick(ZONES)),
    ...withOptional('nodeName', random.pick(NODES)),
    ports: random.chance(0.15) ? [{ name: 'http', protocol: 'TCP', port: random.pick([8080, 9000, 9001]) }] : [],
  });
};

export const withOptional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

export type DefinitionChange = 'labels' | 'trafficDistribution' | 'addressTypes' | 'ports';
export const DEFINITION_CHANGES: readonly DefinitionChange[] = ['labels', 'trafficDistribution', 'addressTypes', 'ports'];

export const changeDefinition = (random: Random, definition: ServiceDefinition, change: DefinitionChange): ServiceDefinition => {
  switch (change) {
    case 'labels':
      return {
        ...definition,
        labels: random.pick<Labels>([{}, { app: 'web' }, { app: 'api', tier: '1' }, { 'kubernetes.io/service-name': 'x', app: 'web' }]),
      };
    case 'trafficDistribution': {
      const { trafficDistribution: _td, ...rest } = definition;
      const next = random.pick([undefined, 'PreferClose', 'PreferSameZone', 'PreferSameNode'] as const);
      return next === undefined ? rest : { ...rest, trafficDistribution: next };
    }
    case 'addressTypes':
      return { ...definition, addressTypes: random.pick(FAMILIES) };
    case 'ports':
      return {
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
      };
  }
};
