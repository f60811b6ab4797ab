import type { EndpointSlice } from '@lib/domain';
import { diffProjections } from './projection-diff';

const slice = (name: string, overrides: Partial<EndpointSlice> = {}): EndpointSlice => ({
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  labels: { 'kubernetes.io/service-name': 'web', a: '1' },
  annotations: {},
  generation: 1,
  creationTimestamp: '2026-01-01T00:00:00Z',
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Instance', namespace: 'default', name: '10.0.0.1' } }],
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  ...overrides,
});

describe('diffProjections', () => {
  it('finds nothing between identical projections, whatever the key order', () => {
    const reordered = slice('web-a', { labels: { a: '1', 'kubernetes.io/service-name': 'web' } });
    expect(diffProjections([slice('web-a'), slice('web-b')], [slice('web-b'), reordered])).toEqual([]);
  });

  it('reports slices on one side only and the fields that differ', () => {
    expect(
      diffProjections(
        [slice('web-a'), slice('web-b', { generation: 3, uid: 'other' })],
        [slice('web-b'), slice('web-c')],
      ),
    ).toEqual([
      { slice: 'default/web-a', problem: 'only in live' },
      { slice: 'default/web-b', problem: 'differs', fields: ['uid', 'generation'] },
      { slice: 'default/web-c', problem: 'only in replay' },
    ]);
  });
});
