import { type LabelSelectorRequirement, matchesLabelSelector, parseLabelSelector } from './label-selector';
import { domainErrorOf } from './testing/domain-error';

describe('parseLabelSelector', () => {
  it.each<[string, LabelSelectorRequirement[]]>([
    ['', []],
    ['   ', []],
    ['a=b', [{ key: 'a', operator: 'In', values: ['b'] }]],
    ['a==b', [{ key: 'a', operator: 'In', values: ['b'] }]],
    ['a!=b', [{ key: 'a', operator: 'NotIn', values: ['b'] }]],
    ['a=', [{ key: 'a', operator: 'In', values: [''] }]],
    ['a in (y,x,y)', [{ key: 'a', operator: 'In', values: ['x', 'y'] }]],
    ['a notin (x)', [{ key: 'a', operator: 'NotIn', values: ['x'] }]],
    ['a in (x,)', [{ key: 'a', operator: 'In', values: ['', 'x'] }]],
    ['a in (in, notin)', [{ key: 'a', operator: 'In', values: ['in', 'notin'] }]],
    ['a', [{ key: 'a', operator: 'Exists', values: [] }]],
    ['!a', [{ key: 'a', operator: 'DoesNotExist', values: [] }]],
    ['example.com/tier', [{ key: 'example.com/tier', operator: 'Exists', values: [] }]],
    [
      ' z = 1 ,  !y ,x in(a , b),w,v notin ( c )',
      [
        { key: 'v', operator: 'NotIn', values: ['c'] },
        { key: 'w', operator: 'Exists', values: [] },
        { key: 'x', operator: 'In', values: ['a', 'b'] },
        { key: 'y', operator: 'DoesNotExist', values: [] },
        { key: 'z', operator: 'In', values: ['1'] },
      ],
    ],
    [
      'a=1,a!=2',
      [
        { key: 'a', operator: 'In', values: ['1'] },
        { key: 'a', operator: 'NotIn', values: ['2'] },
      ],
    ],
  ])('parses %j', (text, requirements) => {
    expect(parseLabelSelector(text)).toEqual({ requirements });
  });

  it.each([
    ['a key that is not a qualified name', 'a_=b', /invalid label key "a_": must be a qualified name/],
    ['a key with an empty prefix', '/a', /invalid label key/],
    ['a value that is not a label value', 'a=-b', /invalid label value "-b": must be a label value/],
    ['a value too long', `a=${'v'.repeat(64)}`, /invalid label value/],
    ['a set value that is not a label value', 'a in (x, y.)', /invalid label value "y."/],
    ['a missing key', '=b', /found "=" at position 0, expected a label key/],
    ['a trailing comma', 'a=b,', /found end of input, expected a label key/],
    ['an empty requirement', 'a,,b', /found "," at position 2, expected a label key/],
    ['two values', 'a=b c', /found "c" at position 4, expected ',' or end of input/],
    ['a chained operator', 'a=b=c', /found "=" at position 3/],
    ['an empty value set', 'a in ()', /value set of in must not be empty/],
    ['a value set without parentheses', 'a in x', /expected '\(' after in/],
    ['an unclosed value set', 'a notin (x', /expected ',' or '\)' in a value set/],
    ['a value after !key', '!a=b', /found "=" at position 2, expected ',' or end of input/],
    ['a bare !', '!', /found end of input, expected a label key/],
    ['a Gt operator', 'a>1', /found ">" at position 1, expected an operator/],
    ['a keyword as key', 'in', /expected a label key/],
    ['an unknown word operator', 'a is b', /found "is" at position 2, expected an operator/],
  ])('rejects %s', (_case, text, rule) => {
    const error = domainErrorOf(() => parseLabelSelector(text));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'labelSelector' });
    expect(error.rule).toMatch(/^must be a Kubernetes label selector: /);
    expect(error.rule).toMatch(rule);
    expect(error.message).toBe(`labelSelector: ${error.rule}`);
  });

  it('reports the given field', () => {
    expect(domainErrorOf(() => parseLabelSelector('=', 'filter.labelSelector')).field).toBe('filter.labelSelector');
  });
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'frontend', empty: '' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['missing=web', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=web', true],
    ['app in (api,web)', true],
    ['app in (api)', false],
    ['missing in (web)', false],
    ['app notin (api)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['empty=', true],
    ['empty', true],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['app=web,!tier', false],
  ])('%j -> %s', (text, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('does not see inherited properties as labels', () => {
    expect(matchesLabelSelector(parseLabelSelector('constructor'), {})).toBe(false);
    expect(matchesLabelSelector(parseLabelSelector('!toString'), {})).toBe(true);
  });
});
