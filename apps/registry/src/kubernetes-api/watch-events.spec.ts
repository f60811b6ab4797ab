import { toKubernetesObject, type EndpointSlice } from '@lib/domain';
import type { EndpointSlice as GraphQLEndpointSlice } from '../endpoint-slices/endpoint-slice.types';
import { ApiError } from '../graphql/format-error';
import { watchEncoder } from './watch-events';

const slice = (name: string) =>
  toKubernetesObject(
    {
      namespace: 'shop',
      name,
      uid: name,
      labels: {},
      annotations: {},
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      addressType: 'IPv4',
      endpoints: [],
      ports: [],
    } satisfies EndpointSlice,
    '7',
  ) as unknown as GraphQLEndpointSlice;

const parse = (line: string | undefined) => JSON.parse(line ?? 'null');

describe('watchEncoder', () => {
  it('writes one {"type","object"} line per change, and a bookmark with only kind, apiVersion and resourceVersion', () => {
    const encode = watchEncoder({ fields: {} });
    const line = encode({ type: 'MODIFIED', object: slice('a'), resourceVersion: '7' });
    expect(line?.endsWith('\n')).toBe(true);
    expect(parse(line)).toEqual({ type: 'MODIFIED', object: JSON.parse(JSON.stringify(slice('a'))) });
    expect(parse(encode({ type: 'BOOKMARK', resourceVersion: '9' }))).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '9' } },
    });
  });

  it('ends with an ERROR event carrying a Status', () => {
    const encode = watchEncoder({ fields: {} });
    expect(parse(encode(new ApiError('RESOURCE_VERSION_TOO_OLD', 'gone')))).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'gone', reason: 'Expired', code: 410 },
    });
  });

  it('skips other names than the fieldSelector\'s', () => {
    const encode = watchEncoder({ fields: { name: 'b' } });
    expect(encode({ type: 'ADDED', object: slice('a'), resourceVersion: '7' })).toBeUndefined();
    expect(parse(encode({ type: 'ADDED', object: slice('b'), resourceVersion: '7' })).object.metadata.name).toBe('b');
  });

  it('sends Table objects with the columns in the first event only, as the apiserver does for kubectl -w', () => {
    const encode = watchEncoder({ fields: {}, table: { include: 'Metadata', now: () => Date.parse('2026-01-01T00:00:30Z') } });
    const first = parse(encode({ type: 'ADDED', object: slice('a'), resourceVersion: '7' }));
    const second = parse(encode({ type: 'MODIFIED', object: slice('b'), resourceVersion: '8' }));
    expect(first.object).toMatchObject({ kind: 'Table', columnDefinitions: expect.arrayContaining([expect.objectContaining({ name: 'Name' })]), rows: [{ cells: ['a', 'IPv4', '<unset>', '<unset>', '30s'] }] });
    expect(second.object).toMatchObject({ kind: 'Table', columnDefinitions: [], rows: [{ cells: ['b', 'IPv4', '<unset>', '<unset>', '30s'] }] });
  });
});
