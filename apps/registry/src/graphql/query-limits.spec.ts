import { buildSchema, parse, validate } from 'graphql';
import { queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Node { name: String child: Node }
  type Query { node: Node nodes: [Node] }
`);

const errorsOf = (query: string, maxDepth = 4, maxCost = 200) =>
  validate(schema, parse(query), [queryLimitsRule(maxDepth, maxCost)]).map((e) => e.message);

describe('queryLimitsRule', () => {
  it('accepts a query within both limits', () => {
    expect(errorsOf(`{ node { child { child { name } } } }`)).toEqual([]);
  });

  it('rejects depth beyond the limit, also through fragments', () => {
    expect(errorsOf(`{ node { child { child { child { name } } } } }`)).toEqual([expect.stringMatching(/depth 5 exceeds the limit of 4/)]);
    expect(errorsOf(`{ node { ...deep } } fragment deep on Node { child { child { child { name } } } }`)).toEqual([expect.stringMatching(/depth 5/)]);
  });

  it('lets introspection nest deeper, but not without bound', () => {
    expect(errorsOf(`{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`)).toEqual([]);
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } } } }`;
    expect(errorsOf(deep)).toEqual([expect.stringMatching(/depth 25 exceeds the limit of 16/)]);
  });

  it('charges every alias, and root fields most', () => {
    expect(errorsOf(`{ a: node { name } b: node { name } c: node { name } }`)).toEqual([]);
    expect(errorsOf(`{ ${Array.from({ length: 5 }, (_, i) => `a${i}: node { name }`).join(' ')} }`)).toEqual([expect.stringMatching(/cost 255 .* exceeds the limit of 200/)]);
  });
});
