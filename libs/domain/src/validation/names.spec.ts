import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from './names';

const label63 = 'a'.repeat(63);
const label64 = 'a'.repeat(64);

describe('isDns1123Label', () => {
  it.each([
    ['a', true],
    ['0', true],
    ['my-service-1', true],
    ['1abc', true],
    [label63, true],
    [label64, false],
    ['', false],
    ['-a', false],
    ['a-', false],
    ['A', false],
    ['a.b', false],
    ['a_b', false],
  ])('%j -> %s', (value, expected) => {
    expect(isDns1123Label(value)).toBe(expected);
  });
});

describe('isDns1035Label', () => {
  it.each([
    ['a', true],
    ['my-service', true],
    ['a1', true],
    [label63, true],
    [label64, false],
    ['1abc', false],
    ['', false],
    ['a-', false],
    ['My', false],
  ])('%j -> %s', (value, expected) => {
    expect(isDns1035Label(value)).toBe(expected);
  });
});

describe('isDns1123Subdomain', () => {
  const longSubdomain = [label63, label63, label63, 'a'.repeat(61)].join('.');
  it.each([
    ['a', true],
    ['node-1.example.com', true],
    [longSubdomain, true],
    [`${longSubdomain}a`, false],
    ['', false],
    ['a..b', false],
    ['.a', false],
    ['a.', false],
    ['a.-b', false],
    ['Node1', false],
  ])('%j -> %s', (value, expected) => {
    expect(isDns1123Subdomain(value)).toBe(expected);
  });
});

describe('isQualifiedName', () => {
  it.each([
    ['app', true],
    ['App_Name.v1', true],
    ['example.com/app', true],
    ['kubernetes.io/h2c', true],
    [label63, true],
    [label64, false],
    ['', false],
    ['/app', false],
    ['example.com/', false],
    ['Example.com/app', false],
    ['a/b/c', false],
    ['-app', false],
    ['app_', false],
    ['a b', false],
  ])('%j -> %s', (value, expected) => {
    expect(isQualifiedName(value)).toBe(expected);
  });
});

describe('isLabelValue', () => {
  it.each([
    ['', true],
    ['v1', true],
    ['Zone_A.1-b', true],
    [label63, true],
    [label64, false],
    ['-a', false],
    ['a.', false],
    ['a/b', false],
    ['a b', false],
  ])('%j -> %s', (value, expected) => {
    expect(isLabelValue(value)).toBe(expected);
  });
});
