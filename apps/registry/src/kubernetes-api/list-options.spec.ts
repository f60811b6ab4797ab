import { DomainError } from '@lib/domain';
import { encodeContinue, matchesFields, parseListOptions } from './list-options';

const badInput = (query: Record<string, unknown>, field: string) => {
  try {
    parseListOptions(query);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    return;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be refused`);
};

describe('parseListOptions', () => {
  it('reads no parameters as: everything, no watch', () => {
    expect(parseListOptions({})).toEqual({ limit: 0, watch: false, allowWatchBookmarks: false });
  });

  it('reads a watch the way kubectl -w and informers send it', () => {
    expect(parseListOptions({ watch: 'true', resourceVersion: '17', allowWatchBookmarks: 'true', timeoutSeconds: '300', labelSelector: 'tier in (a,b),!legacy' })).toEqual({
      selector: { requirements: [{ key: 'legacy', operator: 'DoesNotExist', values: [] }, { key: 'tier', operator: 'In', values: ['a', 'b'] }] },
      limit: 0,
      resourceVersion: 17n,
      watch: true,
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
    });
    expect(parseListOptions({ watch: '1' }).watch).toBe(true);
  });

  it('treats resourceVersion "0" as "any version": a watch from the current state', () => {
    expect(parseListOptions({ watch: 'true', resourceVersion: '0' }).resourceVersion).toBeUndefined();
  });

  it('reads the metadata.name and metadata.namespace field selectors', () => {
    expect(parseListOptions({ fieldSelector: 'metadata.name=web-abcde' })).toMatchObject({ name: 'web-abcde' });
    expect(parseListOptions({ fieldSelector: 'metadata.namespace==shop,metadata.name=x' })).toMatchObject({ name: 'x', namespace: 'shop' });
  });

  it('round-trips a continue token with the first page\'s resourceVersion', () => {
    const token = encodeContinue({ resourceVersion: '99', after: { namespace: 'shop', name: 'web-abcde' } });
    expect(parseListOptions({ limit: '2', continue: token })).toMatchObject({ limit: 2, continueFrom: { resourceVersion: '99', after: { namespace: 'shop', name: 'web-abcde' } } });
  });

  it.each([
    [{ resourceVersion: 'abc' }, 'resourceVersion'],
    [{ resourceVersion: '-1' }, 'resourceVersion'],
    [{ watch: 'yes' }, 'watch'],
    [{ limit: '-5' }, 'limit'],
    [{ timeoutSeconds: '1.5' }, 'timeoutSeconds'],
    [{ continue: 'garbage' }, 'continue'],
    [{ continue: '5.bm90LWpzb24' }, 'continue'],
    [{ fieldSelector: 'spec.addressType=IPv4' }, 'fieldSelector'],
    [{ fieldSelector: 'metadata.name!=x' }, 'fieldSelector'],
    [{ labelSelector: 'a in ()' }, 'labelSelector'],
    [{ watch: ['true', 'false'] }, 'watch'],
  ])('refuses %j naming %s', (query, field) => badInput(query, field));
});

describe('matchesFields', () => {
  it('checks name and namespace when given', () => {
    const metadata = { name: 'web-abcde', namespace: 'shop' };
    expect(matchesFields({}, metadata)).toBe(true);
    expect(matchesFields({ name: 'web-abcde', namespace: 'shop' }, metadata)).toBe(true);
    expect(matchesFields({ name: 'other' }, metadata)).toBe(false);
    expect(matchesFields({ namespace: 'bank' }, metadata)).toBe(false);
  });
});
