import type { EndpointDefinition } from '../registry/model';
import type { ServiceState } from '../registry/state';
import { MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './endpoint-slice';
import { reconcileSlices } from './reconcile-slices';
import {
  aService,
  aSlice,
  aSliceEndpoint,
  anEndpoint,
  applyPlan,
  deepFreeze,
  endpointRange,
  NAMESPACE,
  NOW,
  options,
  sizes,
  sliced,
  sliceWith,
  writeCounts,
} from './testing/builders';

const NOT_READY = { ready: false, serving: false, terminating: false } as const;

type Change = (bySlice: readonly EndpointDefinition[][]) => EndpointDefinition[];

const flipFirstOf =
  (...slices: number[]): Change =>
  (bySlice) =>
    bySlice.flatMap((endpoints, i) =>
      endpoints.map((e, j) => (j === 0 && slices.includes(i) ? anEndpoint({ ...e, conditions: NOT_READY }) : e)),
    );

const removeFrom =
  (slice: number, count: number): Change =>
  (bySlice) =>
    bySlice.flatMap((endpoints, i) => (i === slice ? endpoints.slice(count) : endpoints));

const removeAll: Change = () => [];

const moveAddressOfFirstIn =
  (slice: number): Change =>
  (bySlice) =>
    bySlice.flatMap((endpoints, i) =>
      endpoints.map((e, j) => (i === slice && j === 0 ? anEndpoint({ ...e, addresses: ['10.200.0.1'] }) : e)),
    );

interface Scenario {
  readonly max: number;
  /** Sizes of in-sync slices web-s0, web-s1, ... holding consecutive endpoints. */
  readonly existing: readonly number[];
  readonly change?: Change;
  /** Brand-new endpoints, sorted after every existing one. */
  readonly add?: number;
  readonly writes: { create: number; update: number; delete: number };
  /** Size of each existing slice afterwards; a missing name means it was deleted. */
  readonly after: Readonly<Record<string, number>>;
  readonly created?: readonly number[];
}

const run = (scenario: Scenario) => {
  let next = 0;
  const bySlice = scenario.existing.map((size) => {
    const endpoints = endpointRange(size, next);
    next += size;
    return endpoints;
  });
  const kept = scenario.change ? scenario.change(bySlice) : bySlice.flat();
  const state = aService({ endpoints: [...kept, ...endpointRange(scenario.add ?? 0, 100_000)] });
  const existing = deepFreeze(bySlice.map((endpoints, i) => sliceWith(`web-s${i}`, endpoints)));
  const plan = reconcileSlices(state, existing, options({ maxEndpointsPerSlice: scenario.max }));
  const result = applyPlan(existing, plan);
  return {
    state,
    plan,
    result,
    after: Object.fromEntries(
      result.filter((s) => s.name.startsWith('web-s')).map((s) => [s.name, s.endpoints.length] as const),
    ),
  };
};

describe('reconcileSlices', () => {
  describe('fill phases (k8s reconcileByPortMapping, §3.5)', () => {
    it.each<[string, Scenario]>([
      [
        'ManyEndpoints: 250 endpoints with M=100 -> slices of 100, 100, 50',
        { max: 100, existing: [], add: 250, writes: { create: 3, update: 0, delete: 0 }, after: {}, created: [100, 100, 50] },
      ],
      [
        'SmallMax: M=1 puts every endpoint in its own slice',
        { max: 1, existing: [], add: 3, writes: { create: 3, update: 0, delete: 0 }, after: {}, created: [1, 1, 1] },
      ],
      [
        'SmallMax: M=3 packs 10 endpoints as 3, 3, 3, 1',
        { max: 3, existing: [], add: 10, writes: { create: 4, update: 0, delete: 0 }, after: {}, created: [3, 3, 3, 1] },
      ],
      [
        'SmallMax: M=3 remainder fills an unchanged slice',
        { max: 3, existing: [1], add: 2, writes: { create: 0, update: 1, delete: 0 }, after: { 'web-s0': 3 } },
      ],
      [
        'TightFit: a perfect fit wins',
        {
          max: 10,
          existing: [5, 8, 3],
          add: 2,
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 5, 'web-s1': 10, 'web-s2': 3 },
        },
      ],
      [
        'TightFit: the slice left closest to full is chosen',
        {
          max: 10,
          existing: [5, 8, 3],
          add: 4,
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 9, 'web-s1': 8, 'web-s2': 3 },
        },
      ],
      [
        'TightFit: only a slice that takes the whole remainder qualifies',
        {
          max: 10,
          existing: [5, 8, 3],
          add: 7,
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 5, 'web-s1': 8, 'web-s2': 10 },
        },
      ],
      [
        'NeverSplit: a remainder no single slice can take goes into a new slice',
        {
          max: 10,
          existing: [7, 7],
          add: 5,
          writes: { create: 1, update: 0, delete: 0 },
          after: { 'web-s0': 7, 'web-s1': 7 },
          created: [5],
        },
      ],
      [
        'NewSlicePreferred: 10 new endpoints, 2 slices with room for 5 each -> one new slice (docs)',
        {
          max: 10,
          existing: [5, 5],
          add: 10,
          writes: { create: 1, update: 0, delete: 0 },
          after: { 'web-s0': 5, 'web-s1': 5 },
          created: [10],
        },
      ],
      [
        'RemainderAfterNewSlice: a full new slice first, then the remainder into an unchanged slice',
        {
          max: 10,
          existing: [2],
          add: 12,
          writes: { create: 1, update: 1, delete: 0 },
          after: { 'web-s0': 4 },
          created: [10],
        },
      ],
      [
        'FullestFirst: slices already being updated are topped up, fullest first',
        {
          max: 10,
          existing: [6, 9],
          change: flipFirstOf(0, 1),
          add: 3,
          writes: { create: 0, update: 2, delete: 0 },
          after: { 'web-s0': 8, 'web-s1': 10 },
        },
      ],
      [
        'UpdatingBeforeUnchanged: a slice being written takes new endpoints before a perfect unchanged fit',
        {
          max: 10,
          existing: [6, 7],
          change: flipFirstOf(0),
          add: 3,
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 9, 'web-s1': 7 },
        },
      ],
      [
        'UpdatingOverflow: what does not fit the updated slices goes through phase 3',
        {
          max: 10,
          existing: [8],
          change: flipFirstOf(0),
          add: 5,
          writes: { create: 1, update: 1, delete: 0 },
          after: { 'web-s0': 10 },
          created: [3],
        },
      ],
      [
        'NoRebalancing: a slice above a lowered M is left alone',
        { max: 2, existing: [5], writes: { create: 0, update: 0, delete: 0 }, after: { 'web-s0': 5 } },
      ],
      [
        'RemoveEndpoint: the slice is updated in place',
        {
          max: 10,
          existing: [3, 3],
          change: removeFrom(1, 1),
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 3, 'web-s1': 2 },
        },
      ],
      [
        'RemoveEndpoint: a slice left empty is deleted',
        {
          max: 2,
          existing: [2, 1],
          change: removeFrom(1, 1),
          writes: { create: 0, update: 0, delete: 1 },
          after: { 'web-s0': 2 },
        },
      ],
      [
        'ChangedAddress: remove + add, back into the slice being updated',
        {
          max: 3,
          existing: [3, 2],
          change: moveAddressOfFirstIn(0),
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 3, 'web-s1': 2 },
        },
      ],
      [
        'RollingUpdate: all endpoints replaced -> the new slice is recycled into the old one',
        {
          max: 3,
          existing: [3],
          change: removeAll,
          add: 3,
          writes: { create: 0, update: 1, delete: 0 },
          after: { 'web-s0': 3 },
        },
      ],
    ])('%s', (_, scenario) => {
      const { plan, after } = run(scenario);

      expect(writeCounts(plan)).toEqual(scenario.writes);
      expect(after).toEqual(scenario.after);
      expect(plan.create.map((s) => s.endpoints.length)).toEqual(scenario.created ?? []);
    });

    it('keeps the endpoint order of an updated slice and appends new endpoints', () => {
      const { plan } = run({ max: 10, existing: [3], change: flipFirstOf(0), add: 1, writes: { create: 0, update: 1, delete: 0 }, after: {} });

      expect(plan.update[0]?.endpoints.map((e) => e.targetRef.name)).toEqual(['ep-000000', 'ep-000001', 'ep-000002', 'ep-100000']);
      expect(plan.update[0]?.endpoints[0]?.conditions).toEqual(NOT_READY);
    });

    // The portless group's key equals the placeholder's, so the placeholder is an unchanged slice
    // of that group; phase 3 only offers it a remainder strictly below M (k8s keeps it empty).
    it.each([
      ['exactly M new -> a new slice, the placeholder stays empty', 2, 2, { create: 1, update: 0, delete: 0 }, [2, 0]],
      ['fewer than M new -> they fill the placeholder', 3, 1, { create: 0, update: 1, delete: 0 }, [1]],
    ])('PortlessPlaceholder: %s', (_, max, added, writes, after) => {
      const existing = sliced(aService({ ports: [] }));

      const plan = reconcileSlices(aService({ ports: [], endpoints: endpointRange(added) }), existing, options({ maxEndpointsPerSlice: max }));

      expect(writeCounts(plan)).toEqual(writes);
      expect(sizes(applyPlan(existing, plan))).toEqual(after);
    });

    it('keeps an endpoint found in two slices only in the first one', () => {
      const [a, b, c] = endpointRange(3) as [EndpointDefinition, EndpointDefinition, EndpointDefinition];
      const state = aService({ endpoints: [a, b, c] });
      const existing = deepFreeze([sliceWith('web-s0', [a, b]), sliceWith('web-s1', [b, c])]);

      const plan = reconcileSlices(state, existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]?.name).toBe('web-s1');
      expect(plan.update[0]?.endpoints.map((e) => e.targetRef.name)).toEqual(['ep-000002']);
    });
  });

  describe('in-place updates', () => {
    it('ConditionFlip: one in-place update, same name and uid, generation + 1', () => {
      const endpoints = endpointRange(250);
      const existing = sliced(aService({ endpoints }));
      const flipped = endpoints.map((e, i) => (i === 120 ? anEndpoint({ ...e, conditions: NOT_READY }) : e));

      const plan = reconcileSlices(aService({ endpoints: flipped }), existing, options({}, 'next'));

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      const before = existing.find((s) => s.name === plan.update[0]?.name);
      expect(before?.endpoints.some((e) => e.targetRef.name === 'ep-000120')).toBe(true);
      expect(plan.update[0]).toMatchObject({
        uid: before?.uid,
        creationTimestamp: before?.creationTimestamp,
        generation: (before?.generation ?? 0) + 1,
      });
      expect(sizes(applyPlan(existing, plan))).toEqual([100, 100, 50]);
    });

    it.each([
      ['zone', { zone: 'zone-b' }],
      ['node', { nodeName: 'node-b' }],
      ['terminating', { conditions: { ready: false, serving: true, terminating: true } }],
    ])('%s change -> one update, no create or delete', (_, change) => {
      const endpoints = endpointRange(5);
      const existing = sliced(aService({ endpoints }));

      const plan = reconcileSlices(
        aService({ endpoints: endpoints.map((e, i) => (i === 2 ? anEndpoint({ ...e, ...change }) : e)) }),
        existing,
        options(),
      );

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]?.generation).toBe(2);
    });
  });

  describe('no-op syncs', () => {
    it.each<[string, ServiceState, number]>([
      ['empty service (placeholder)', aService(), 100],
      ['empty dual-stack service (two placeholders)', aService({ addressTypes: ['IPv4', 'IPv6'] }), 100],
      ['250 endpoints', aService({ endpoints: endpointRange(250) }), 100],
      ['250 endpoints, M=7', aService({ endpoints: endpointRange(250) }), 7],
      ['portless service', aService({ ports: [], endpoints: endpointRange(3) }), 100],
      [
        'labels, hints, named ports, dual stack',
        aService({
          addressTypes: ['IPv4', 'IPv6'],
          labels: { app: 'web', [SERVICE_NAME_LABEL]: 'ignored' },
          trafficDistribution: 'PreferSameNode',
          endpoints: [
            anEndpoint({ id: 'a', addresses: ['10.0.0.1', 'fd00::1'], zone: 'z1', nodeName: 'n1' }),
            anEndpoint({ id: 'b', addresses: ['10.0.0.2'], zone: 'z2', ports: [{ name: 'http', protocol: 'TCP', port: 9 }] }),
            anEndpoint({ id: 'c', addresses: ['fd00::3'], conditions: NOT_READY, zone: 'z1' }),
          ],
        }),
        2,
      ],
    ])('Unchanged: %s -> zero writes', (_, state, max) => {
      const existing = sliced(state, { maxEndpointsPerSlice: max });

      expect(writeCounts(reconcileSlices(state, existing, options({ maxEndpointsPerSlice: max }, 'other-seed')))).toEqual({
        create: 0,
        update: 0,
        delete: 0,
      });
    });

    it('ignores the order of the service ports', () => {
      const ports = [
        { name: 'a', protocol: 'TCP', port: 1, targetPort: 1 },
        { name: 'b', protocol: 'UDP', port: 2, targetPort: 2 },
      ] as const;
      const existing = sliced(aService({ ports, endpoints: endpointRange(3) }));

      const plan = reconcileSlices(aService({ ports: [...ports].reverse(), endpoints: endpointRange(3) }), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 0, delete: 0 });
    });
  });

  describe('placeholder (§3.6)', () => {
    it.each([
      [['IPv4'] as const, ['IPv4']],
      [['IPv4', 'IPv6'] as const, ['IPv4', 'IPv6']],
    ])('EmptyService %j: one empty placeholder per family', (addressTypes, families) => {
      const plan = reconcileSlices(aService({ addressTypes }), [], options());

      expect(writeCounts(plan)).toEqual({ create: families.length, update: 0, delete: 0 });
      expect(plan.create.map((s) => [s.addressType, s.ports, s.endpoints])).toEqual(families.map((f) => [f, [], []]));
    });

    it('IdenticalPlaceholder: no writes, even under another name and with annotations', () => {
      const placeholder = aSlice({ name: 'web-zzzzz', ports: [], endpoints: [], annotations: { note: 'x' }, generation: 7 });

      expect(writeCounts(reconcileSlices(aService(), [placeholder], options()))).toEqual({ create: 0, update: 0, delete: 0 });
    });

    it('UpdatePlaceholder: a placeholder with outdated labels is updated in place (recycled)', () => {
      const placeholder = aSlice({ name: 'web-zzzzz', ports: [], endpoints: [] });

      const plan = reconcileSlices(aService({ labels: { team: 'a' } }), [placeholder], options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]).toMatchObject({ name: 'web-zzzzz', generation: 2, labels: { team: 'a' } });
    });

    it('LastEndpointGone: slices are deleted and one of them becomes the placeholder', () => {
      const existing = sliced(aService({ endpoints: endpointRange(250) }));

      const plan = reconcileSlices(aService(), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 2 });
      expect(plan.update[0]).toMatchObject({ ports: [], endpoints: [], generation: 2 });
    });

    it('FirstEndpoint: the placeholder is recycled into the first real slice', () => {
      const existing = sliced(aService());

      const plan = reconcileSlices(aService({ endpoints: endpointRange(2) }), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]).toMatchObject({ name: existing[0]?.name, ports: [{ name: 'http', protocol: 'TCP', port: 8080 }] });
      expect(plan.update[0]?.endpoints).toHaveLength(2);
    });

    it('DualStackIPv4Only: the IPv6 family still gets a placeholder', () => {
      const slices = sliced(aService({ addressTypes: ['IPv4', 'IPv6'], endpoints: endpointRange(3) }));

      expect(slices.map((s) => [s.addressType, s.endpoints.length, s.ports.length])).toEqual([
        ['IPv4', 3, 1],
        ['IPv6', 0, 0],
      ]);
    });
  });

  describe('recycling (§3.7)', () => {
    it('PortChange on 3 slices: 3 updates via recycling, no creates, no deletes', () => {
      const endpoints = endpointRange(250);
      const existing = sliced(aService({ endpoints }));

      const plan = reconcileSlices(
        aService({ endpoints, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9090 }] }),
        existing,
        options({}, 'next'),
      );

      expect(writeCounts(plan)).toEqual({ create: 0, update: 3, delete: 0 });
      expect(plan.update.map((s) => s.name).sort()).toEqual(existing.map((s) => s.name).sort());
      for (const slice of plan.update) {
        const before = existing.find((s) => s.name === slice.name);
        expect(slice).toMatchObject({ uid: before?.uid, creationTimestamp: before?.creationTimestamp, generation: 2 });
        expect(slice.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 9090 }]);
      }
      expect(sizes(plan.update)).toEqual([100, 100, 50]);
    });

    it('creates beyond the number of deletes stay creates', () => {
      const existing = sliced(aService({ endpoints: endpointRange(100) }));

      const plan = reconcileSlices(
        aService({ endpoints: endpointRange(250), ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9090 }] }),
        existing,
        options(),
      );

      expect(writeCounts(plan)).toEqual({ create: 2, update: 1, delete: 0 });
      expect(plan.create.every((s) => s.generation === 1 && s.creationTimestamp === NOW)).toBe(true);
    });
  });

  describe('named ports (§3.3)', () => {
    it.each([
      ['same name and protocol -> own port, separate slice', { name: 'http', protocol: 'TCP', port: 9000 } as const, 2],
      ['same name, other protocol -> ignored, same slice', { name: 'http', protocol: 'UDP', port: 9000 } as const, 1],
      ['other name -> ignored, same slice', { name: 'grpc', protocol: 'TCP', port: 9000 } as const, 1],
      ['same number as targetPort -> same slice', { name: 'http', protocol: 'TCP', port: 8080 } as const, 1],
    ])('%s', (_, instancePort, sliceCount) => {
      const endpoints = [...endpointRange(2), anEndpoint({ id: 'own', addresses: ['10.9.9.9'], ports: [instancePort] })];

      const slices = sliced(aService({ endpoints }));

      expect(slices).toHaveLength(sliceCount);
      const own = slices.find((s) => s.endpoints.some((e) => e.targetRef.name === 'own'));
      expect(own?.ports).toEqual([{ name: 'http', protocol: 'TCP', port: sliceCount === 2 ? 9000 : 8080 }]);
    });
  });

  describe('address families (§3.2)', () => {
    const dual = (endpoints: EndpointDefinition[]) => aService({ addressTypes: ['IPv4', 'IPv6'], endpoints });
    const dualA = anEndpoint({ id: 'a', addresses: ['10.0.0.1', 'fd00::1'] });
    const dualB = anEndpoint({ id: 'b', addresses: ['10.0.0.2', 'fd00::2'] });
    const dualEndpoints = [dualA, dualB];

    it('DualStack: one slice per family, each with only its own addresses', () => {
      const slices = sliced(dual(dualEndpoints));

      expect(slices.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses[0])])).toEqual([
        ['IPv4', ['10.0.0.1', '10.0.0.2']],
        ['IPv6', ['fd00::1', 'fd00::2']],
      ]);
    });

    it('FamilyDropped: its slices are deleted and never recycled', () => {
      const existing = sliced(dual(dualEndpoints));

      const plan = reconcileSlices(
        aService({ endpoints: [...dualEndpoints, ...endpointRange(2)], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 1 }] }),
        existing,
        options({ maxEndpointsPerSlice: 2 }),
      );

      expect(writeCounts(plan)).toEqual({ create: 1, update: 1, delete: 1 });
      expect(plan.delete.map((s) => s.addressType)).toEqual(['IPv6']);
      expect(plan.create.map((s) => s.addressType)).toEqual(['IPv4']);
    });

    it('an endpoint that loses its IPv6 address leaves the IPv6 slice only', () => {
      const existing = sliced(dual(dualEndpoints));

      const plan = reconcileSlices(dual([dualA, anEndpoint({ ...dualB, addresses: ['10.0.0.2'] })]), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]).toMatchObject({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] });
    });
  });

  describe('labels (§1.6)', () => {
    it('sets the reserved labels and copies the service labels minus reserved keys', () => {
      const [slice] = sliced(
        aService({
          labels: {
            app: 'web',
            [SERVICE_NAME_LABEL]: 'other',
            [MANAGED_BY_LABEL]: 'someone-else',
            'service.kubernetes.io/headless': '',
          },
        }),
      );

      expect(slice?.labels).toEqual({ app: 'web', [SERVICE_NAME_LABEL]: 'web', [MANAGED_BY_LABEL]: MANAGED_BY });
      expect(slice?.annotations).toEqual({});
      expect(slice?.namespace).toBe(NAMESPACE);
    });

    it('LabelChange: every slice is updated, generation + 1', () => {
      const endpoints = endpointRange(250);
      const existing = sliced(aService({ endpoints }));

      const plan = reconcileSlices(aService({ endpoints, labels: { app: 'web' } }), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 3, delete: 0 });
      expect(plan.update.every((s) => s.generation === 2 && s.labels['app'] === 'web')).toBe(true);
    });

    it('ReservedLabelOnService: no writes', () => {
      const endpoints = endpointRange(5);
      const existing = sliced(aService({ endpoints }));

      const plan = reconcileSlices(
        aService({ endpoints, labels: { [SERVICE_NAME_LABEL]: 'x', 'service.kubernetes.io/headless': '' } }),
        existing,
        options(),
      );

      expect(writeCounts(plan)).toEqual({ create: 0, update: 0, delete: 0 });
    });
  });

  describe('hints (§3.11)', () => {
    const readyZoned = anEndpoint({ id: 'a', addresses: ['10.0.0.1'], zone: 'z1', nodeName: 'n1' });
    const notReadyZoned = anEndpoint({ id: 'b', addresses: ['10.0.0.2'], zone: 'z2', nodeName: 'n2', conditions: NOT_READY });
    const zoned = [readyZoned, notReadyZoned];

    it.each([
      ['PreferClose', { forZones: [{ name: 'z1' }] }],
      ['PreferSameZone', { forZones: [{ name: 'z1' }] }],
      ['PreferSameNode', { forZones: [{ name: 'z1' }], forNodes: [{ name: 'n1' }] }],
    ] as const)('%s: hints on ready endpoints only, unchanged slices rewritten once', (trafficDistribution, hints) => {
      const existing = sliced(aService({ endpoints: zoned }));
      const state = aService({ endpoints: zoned, trafficDistribution });

      const plan = reconcileSlices(state, existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]?.endpoints.map((e) => e.hints)).toEqual([hints, undefined]);
      expect(plan.update[0]?.generation).toBe(2);
      expect(writeCounts(reconcileSlices(state, applyPlan(existing, plan), options()))).toEqual({ create: 0, update: 0, delete: 0 });
    });

    it('trafficDistribution removed: hints are removed', () => {
      const existing = sliced(aService({ endpoints: zoned, trafficDistribution: 'PreferClose' }));

      const plan = reconcileSlices(aService({ endpoints: zoned }), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 1, delete: 0 });
      expect(plan.update[0]?.endpoints.map((e) => e.hints)).toEqual([undefined, undefined]);
    });

    it('a slice without ready zoned endpoints is not rewritten when hints are switched on', () => {
      const existing = sliced(aService({ endpoints: [notReadyZoned] }));

      const plan = reconcileSlices(aService({ endpoints: [notReadyZoned], trafficDistribution: 'PreferClose' }), existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 0, delete: 0 });
    });
  });

  describe('service deletion', () => {
    it('deletes every existing slice, whatever its family', () => {
      const existing = sliced(aService({ addressTypes: ['IPv4', 'IPv6'], endpoints: endpointRange(150) }));

      const plan = reconcileSlices(undefined, existing, options());

      expect(writeCounts(plan)).toEqual({ create: 0, update: 0, delete: 3 });
    });
  });

  describe('names and identities', () => {
    it('uses <service>- plus the injected suffix, uid from the name, creationTimestamp = now', () => {
      const plan = reconcileSlices(aService({ endpoints: endpointRange(2) }), [], options({ nameSuffix: () => 'bcdfg', uidFor: (n) => `uid:${n}` }));

      expect(plan.create[0]).toMatchObject({ name: 'web-bcdfg', uid: 'uid:web-bcdfg', creationTimestamp: NOW, generation: 1 });
    });

    it('skips a suffix that collides with an existing slice name', () => {
      const suffixes = ['bbbbb', 'bbbbb', 'ccccc'];
      const existing = [aSlice({ name: 'web-bbbbb', addressType: 'IPv6' })];

      const plan = reconcileSlices(aService({ endpoints: endpointRange(2) }), existing, options({ nameSuffix: () => suffixes.shift() ?? 'zzzzz' }));

      expect(plan.create.map((s) => s.name)).toEqual(['web-ccccc']);
      expect(plan.delete.map((s) => s.name)).toEqual(['web-bbbbb']);
    });

    it('truncates a long service name to 58 characters before the suffix', () => {
      const name = 'a'.repeat(63);

      const [slice] = sliced(aService({ name }));

      expect(slice?.name).toMatch(new RegExp(`^a{58}[a-z0-9]{5}$`));
      expect(slice?.labels[SERVICE_NAME_LABEL]).toBe(name);
    });

    it('Determinism: the same seed gives the same names and uids; another seed other names', () => {
      const state = aService({ addressTypes: ['IPv4', 'IPv6'], endpoints: endpointRange(450) });
      const identities = (seed: string) => sliced(state, {}, seed).map((s) => [s.name, s.uid]);

      expect(identities('event-1')).toEqual(identities('event-1'));
      expect(identities('event-1')).not.toEqual(identities('event-2'));
      expect(new Set(identities('event-1').map(([name]) => name)).size).toBe(6);
    });
  });

  it('does not mutate its (deep-frozen) inputs', () => {
    const existing = sliced(aService({ endpoints: endpointRange(30) }), { maxEndpointsPerSlice: 7 });
    const state = aService({ endpoints: endpointRange(40, 5), labels: { x: 'y' }, trafficDistribution: 'PreferClose' });

    expect(Object.isFrozen(existing[0]?.endpoints)).toBe(true);
    expect(() => reconcileSlices(state, existing, options({ maxEndpointsPerSlice: 7 }))).not.toThrow();
  });

  it('rejects a maximum below 1 instead of looping forever', () => {
    expect(() => reconcileSlices(aService({ endpoints: endpointRange(1) }), [], options({ maxEndpointsPerSlice: 0 }))).toThrow(RangeError);
  });

  it('builds the endpoint exactly as Kubernetes shapes it', () => {
    const [slice] = sliced(aService({ endpoints: [anEndpoint({ id: 'i', addresses: ['10.0.0.7'], hostname: 'h', zone: 'z' })] }));

    expect(slice?.endpoints).toEqual([aSliceEndpoint('i', '10.0.0.7', { hostname: 'h', zone: 'z' })]);
  });
});
