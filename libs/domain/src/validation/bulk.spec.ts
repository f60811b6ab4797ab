import { MAX_BULK_INPUTS, validateBulkSize, validateEndpointIds } from './bulk';
import { domainErrorOf } from '../testing/domain-error';

describe('bulk validation', () => {
  it.each([
    ['one item', 1],
    ['the maximum', MAX_BULK_INPUTS],
  ])('accepts %s', (_case, count) => {
    expect(() => validateBulkSize(new Array<number>(count).fill(0), 'inputs')).not.toThrow();
  });

  it('accepts distinct ids', () => {
    expect(validateEndpointIds(['10.0.0.1', 'vm-2'], 'ids')).toEqual(['10.0.0.1', 'vm-2']);
  });

  it.each([
    ['an empty list', () => validateBulkSize([], 'inputs'), 'inputs', /at least 1 item/],
    ['more than 1000 items', () => validateBulkSize(new Array<number>(1001).fill(0), 'inputs'), 'inputs', /at most 1000/],
    ['no ids', () => validateEndpointIds([], 'ids'), 'ids', /at least 1 item/],
    ['an invalid id', () => validateEndpointIds(['ok', 'a/b'], 'ids'), 'ids[1]', /endpoint id/],
    ['a repeated id', () => validateEndpointIds(['a', 'a'], 'ids'), 'ids[1]', /Duplicate value: "a"/],
  ])('rejects %s', (_case, run, field, rule) => {
    const error = domainErrorOf(run);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.rule).toMatch(rule);
  });
});
