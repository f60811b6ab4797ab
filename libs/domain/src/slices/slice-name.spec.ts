import { deterministicSliceIdentity, sliceNamePrefix, SUFFIX_ALPHABET } from './slice-name';

describe('sliceNamePrefix', () => {
  it.each([
    ['web', 'web-'],
    ['a'.repeat(57), `${'a'.repeat(57)}-`],
    ['a'.repeat(58), 'a'.repeat(58)],
    ['a'.repeat(63), 'a'.repeat(58)],
  ])('%s -> %s', (service, prefix) => {
    expect(sliceNamePrefix(service)).toBe(prefix);
  });
});

describe('deterministicSliceIdentity', () => {
  const take = (seed: string, count: number): string[] => {
    const { nameSuffix } = deterministicSliceIdentity(seed);
    return Array.from({ length: count }, () => nameSuffix());
  };

  it('yields 5-character suffixes from the generateName alphabet', () => {
    for (const suffix of take('seed', 200)) {
      expect(suffix).toMatch(new RegExp(`^[${SUFFIX_ALPHABET}]{5}$`));
    }
  });

  it('repeats the same sequence for the same seed and differs for another seed', () => {
    expect(take('event-42', 20)).toEqual(take('event-42', 20));
    expect(take('event-42', 20)).not.toEqual(take('event-43', 20));
  });

  it('rarely repeats a suffix within one sequence', () => {
    expect(new Set(take('seed', 1000)).size).toBeGreaterThanOrEqual(999);
  });

  it('derives an RFC 4122-shaped (version 8) uid from seed and name', () => {
    const a = deterministicSliceIdentity('seed');
    const b = deterministicSliceIdentity('seed');

    expect(a.uidFor('web-abcde')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.uidFor('web-abcde')).toBe(b.uidFor('web-abcde'));
    expect(a.uidFor('web-abcde')).not.toBe(a.uidFor('web-abcdf'));
    expect(a.uidFor('web-abcde')).not.toBe(deterministicSliceIdentity('other').uidFor('web-abcde'));
  });
});
