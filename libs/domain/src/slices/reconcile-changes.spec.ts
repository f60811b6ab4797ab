import type { EndpointDefinition } from '../registry/model';
import type { EndpointSlice } from './endpoint-slice';
import { reconcileChanges, type EndpointChange } from './reconcile-changes';
import { reconcileSlices } from './reconcile-slices';
import type { SlicePlan } from './slice-plan';
import { aService, aSlice, anEndpoint, byName, deepFreeze, options, slicesHolding, sliceWith } from './testing/builders';

const ep = (id: string, n: number, overrides: Partial<EndpointDefinition> = {}): EndpointDefinition =>
  anEndpoint({ id, addresses: [`10.0.0.${n}`], ...overrides });

const ON_9000 = { ports: [{ name: 'http', protocol: 'TCP', port: 9000 }] } as const;
const SLICE_ON_9000 = { ports: [{ name: 'http', protocol: 'TCP', port: 9000 }] } as const;

const [a, b, c, d, e, f, g, h, i, j] = [...'abcdefghij'].map((id, k) => ep(id, k + 1));
const fresh = (count: number): EndpointDefinition[] => Array.from({ length: count }, (_, k) => ep(`new-${k}`, 100 + k));
const registered = (...endpoints: EndpointDefinition[]): EndpointChange[] => endpoints.map((endpoint) => ({ id: endpoint.id, endpoint }));
const deregistered = (...ids: string[]): EndpointChange[] => ids.map((id) => ({ id }));

interface Case {
  readonly name: string;
  readonly max: number;
  /** Registered endpoints and the slices the reconciler made of them. */
  readonly given: { readonly endpoints: readonly EndpointDefinition[]; readonly slices: readonly EndpointSlice[] };
  readonly when: readonly EndpointChange[];
  /** Sizes of created slices, endpoint ids of updated slices by name, names of deleted slices. */
  readonly then: { create: number[]; update: Record<string, string[]>; delete: string[] };
}

const summary = (plan: SlicePlan) => ({
  create: plan.create.map((slice) => slice.endpoints.length),
  update: Object.fromEntries(plan.update.map((slice) => [slice.name, slice.endpoints.map((x) => x.targetRef.name)])),
  delete: plan.delete.map((slice) => slice.name),
});

const cases: Case[] = [
  {
    name: 'a remainder goes whole into the tightest-fitting unchanged slice',
    max: 10,
    given: {
      endpoints: [a, b, c, d, e, f, g, h, i, j],
      slices: [sliceWith('web-s0', [a, b, c, d]), sliceWith('web-s1', [e, f, g, h, i, j])],
    },
    when: registered(...fresh(4)),
    then: { create: [], update: { 'web-s1': ['e', 'f', 'g', 'h', 'i', 'j', 'new-0', 'new-1', 'new-2', 'new-3'] }, delete: [] },
  },
  {
    name: 'a remainder no unchanged slice can take whole gets a new slice, never split',
    max: 5,
    given: { endpoints: [a, b, c, d, e, f, g], slices: [sliceWith('web-s0', [a, b, c, d]), sliceWith('web-s1', [e, f, g])] },
    when: registered(...fresh(3)),
    then: { create: [3], update: {}, delete: [] },
  },
  {
    name: 'the last endpoint of a port group leaves: its slice is deleted, the rest untouched',
    max: 10,
    given: {
      endpoints: [a, b, { ...c, ...ON_9000 }],
      slices: [sliceWith('web-s0', [a, b]), sliceWith('web-s1', [c], SLICE_ON_9000)],
    },
    when: deregistered('c'),
    then: { create: [], update: {}, delete: ['web-s1'] },
  },
  {
    name: 'a new address changes identity: dropped in place, then appended to the slice being updated',
    max: 3,
    given: { endpoints: [a, b, c, d, e], slices: [sliceWith('web-s0', [a, b, c]), sliceWith('web-s1', [d, e])] },
    when: registered({ ...b, addresses: ['10.0.9.9'] }),
    then: { create: [], update: { 'web-s0': ['a', 'c', 'b'] }, delete: [] },
  },
  {
    name: 'a conditions change with the same identity is an update in place',
    max: 3,
    given: { endpoints: [a, b, c, d, e], slices: [sliceWith('web-s0', [a, b, c]), sliceWith('web-s1', [d, e])] },
    when: registered({ ...b, conditions: { ready: false, serving: true, terminating: true } }),
    then: { create: [], update: { 'web-s0': ['a', 'b', 'c'] }, delete: [] },
  },
  {
    name: 'a new instance port moves the endpoint to another port group',
    max: 3,
    given: { endpoints: [a, b, c], slices: [sliceWith('web-s0', [a, b, c])] },
    when: registered({ ...b, ...ON_9000 }),
    then: { create: [1], update: { 'web-s0': ['a', 'c'] }, delete: [] },
  },
  {
    name: 'the last endpoint of a family leaves: its slice is recycled into the placeholder',
    max: 3,
    given: { endpoints: [a, b], slices: [sliceWith('web-s0', [a, b])] },
    when: deregistered('a', 'b'),
    then: { create: [], update: { 'web-s0': [] }, delete: [] },
  },
  {
    name: 'an identical placeholder is left alone',
    max: 3,
    given: { endpoints: [], slices: [aSlice({ name: 'web-p', ports: [] })] },
    when: [...deregistered('gone'), ...registered(ep('v6-only', 0, { addresses: ['fd00::1'] }))],
    then: { create: [], update: {}, delete: [] },
  },
  {
    name: 'the first endpoint after the placeholder takes over its name (create recycled)',
    max: 3,
    given: { endpoints: [], slices: [aSlice({ name: 'web-p', ports: [] })] },
    when: registered(a),
    then: { create: [], update: { 'web-p': ['a'] }, delete: [] },
  },
  {
    name: 'a slice emptied by a port move is recycled into the new group instead of delete + create',
    max: 3,
    given: { endpoints: [a, b], slices: [sliceWith('web-s0', [a]), sliceWith('web-s1', [b])] },
    when: registered({ ...a, ...ON_9000 }),
    then: { create: [], update: { 'web-s0': ['a'] }, delete: [] },
  },
];

describe('reconcileChanges', () => {
  it.each(cases)('$name', ({ max, given, when, then }) => {
    const before = aService({ endpoints: given.endpoints });
    const existing = deepFreeze(byName(given.slices));
    const endpoints = new Map(given.endpoints.map((endpoint) => [endpoint.id, endpoint] as const));
    for (const change of when) {
      if (change.endpoint === undefined) endpoints.delete(change.id);
      else endpoints.set(change.id, change.endpoint);
    }
    const after = aService({ endpoints: [...endpoints.values()] });

    const incremental = reconcileChanges(after.definition, deepFreeze(when), existing, slicesHolding(existing), options({ maxEndpointsPerSlice: max }));

    expect(reconcileSlices(before, existing, options({ maxEndpointsPerSlice: max }))).toEqual({ create: [], update: [], delete: [] });
    expect(summary(incremental)).toEqual(then);
    expect(incremental).toEqual(reconcileSlices(after, existing, options({ maxEndpointsPerSlice: max })));
  });

  it('rejects an index that names a slice the service does not have', () => {
    const existing = deepFreeze([sliceWith('web-s0', [a])]);
    expect(() => reconcileChanges(aService().definition, registered(a), existing, () => ['web-gone'], options())).toThrow(
      'slicesOf(a) names web-gone',
    );
  });
});
