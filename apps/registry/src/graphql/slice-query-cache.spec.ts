import { getOperationAST, parse } from 'graphql';
import { readsOnlySlices } from './slice-query-cache';

const operation = (source: string) => getOperationAST(parse(source)) ?? undefined;

describe('readsOnlySlices: which operations the slice cache may answer', () => {
  it.each([
    'query { endpointSlices(namespace: "a") { totalCount } }',
    'query Q($n: String!) { endpointSlice(name: $n) { kind } other: endpointSlices { resourceVersion } __typename }',
  ])('takes queries of slice root fields only: %s', (source) => {
    expect(readsOnlySlices(operation(source))).toBe(true);
  });

  it.each([
    // Services, history, leases and tokens change without a slice write.
    'query { endpointSlices { totalCount } services { totalCount } }',
    'query { endpointHistory(serviceName: "a", endpointId: "b") { totalCount } }',
    'query { registryStatus { projectorLag } }',
    'query { ...F } fragment F on Query { endpointSlices { totalCount } }',
    'mutation { deleteService(name: "a") { resourceVersion } }',
    'subscription { endpointSliceEvents { type } }',
  ])('leaves everything else to execution: %s', (source) => {
    expect(readsOnlySlices(operation(source))).toBe(false);
  });
});
