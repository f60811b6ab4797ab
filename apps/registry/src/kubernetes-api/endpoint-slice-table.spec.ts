import { toKubernetesObject, type EndpointSlice, type SliceEndpoint } from '@lib/domain';
import { acceptsTable, formatEndpoints, formatPorts, humanDuration, toEndpointSliceTable } from './endpoint-slice-table';

const endpoint = (address: string): SliceEndpoint => ({
  addresses: [address],
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Instance', namespace: 'shop', name: address },
});

const aSlice = (overrides: Partial<EndpointSlice> = {}): EndpointSlice =>
  Object.freeze({
    namespace: 'shop',
    name: 'web-abcde',
    uid: 'u',
    labels: {},
    annotations: {},
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    addressType: 'IPv4',
    endpoints: [],
    ports: [],
    ...overrides,
  });

describe('kubectl EndpointSlice columns (printers.go)', () => {
  it.each([
    [[], '<unset>'],
    [['10.0.0.1'], '10.0.0.1'],
    [['10.0.0.1', '10.0.0.2', '10.0.0.3'], '10.0.0.1,10.0.0.2,10.0.0.3'],
    [['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'], '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...'],
    [['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'], '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...'],
  ])('ENDPOINTS of %j is %s', (addresses, expected) => {
    expect(formatEndpoints(addresses.map(endpoint))).toBe(expected);
  });

  it.each([
    [[], '<unset>'],
    [[80], '80'],
    [[80, 443, 9100, 9200], '80,443,9100 + 1 more...'],
  ])('PORTS of %j is %s', (ports, expected) => {
    expect(formatPorts(ports.map((port) => ({ name: '', protocol: 'TCP' as const, port })))).toBe(expected);
  });

  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-2500, '<invalid>'],
    [119_000, '119s'],
    [120_000, '2m'],
    [125_000, '2m5s'],
    [10 * 60_000, '10m'],
    [179 * 60_000, '179m'],
    [3 * 3_600_000 + 5 * 60_000, '3h5m'],
    [8 * 3_600_000, '8h'],
    [47 * 3_600_000, '47h'],
    [50 * 3_600_000, '2d2h'],
    [8 * 86_400_000, '8d'],
    [(2 * 365 + 3) * 86_400_000, '2y3d'],
    [9 * 365 * 86_400_000, '9y'],
  ])('AGE of %d ms is %s (duration.HumanDuration)', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('acceptsTable', () => {
  it.each([
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', true],
    ['application/json; as=Table; g=meta.k8s.io; v=v1', true],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', false],
    ['application/json', false],
    [undefined, false],
  ])('%s -> %s', (accept, expected) => {
    expect(acceptsTable(accept)).toBe(expected);
  });
});

describe('toEndpointSliceTable', () => {
  const slice = toKubernetesObject(
    aSlice({ endpoints: ['10.0.0.1', '10.0.0.2'].map(endpoint), ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }),
    '42',
  );
  const now = Date.parse('2026-01-01T00:05:00Z');

  it('renders one row per slice with a PartialObjectMetadata by default', () => {
    const table = toEndpointSliceTable([slice], { now, include: 'Metadata', withColumns: true, metadata: { resourceVersion: '42' } });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(table.rows).toEqual([
      { cells: ['web-abcde', 'IPv4', '80', '10.0.0.1,10.0.0.2', '5m'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: slice.metadata } },
    ]);
    expect(table.metadata).toEqual({ resourceVersion: '42' });
  });

  it('leaves the columns out for later watch events and honours includeObject', () => {
    expect(toEndpointSliceTable([slice], { now, include: 'None', withColumns: false })).toMatchObject({ columnDefinitions: [], rows: [{ cells: expect.any(Array) }] });
    expect(toEndpointSliceTable([slice], { now, include: 'None', withColumns: false }).rows[0]).not.toHaveProperty('object');
    expect(toEndpointSliceTable([slice], { now, include: 'Object', withColumns: false }).rows[0]).toHaveProperty('object', slice);
  });
});
