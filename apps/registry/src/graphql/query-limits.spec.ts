import { buildSchema, parse, validate } from 'graphql';
import { queryDepthRule } from './query-limits';

const schema = buildSchema(`
  type Node { name: String child: Node }
  type Query { node: Node nodes: [Node] }
`);

const errorsOf = (query: string, maxDepth = 4) => validate(schema, parse(query), [queryDepthRule(maxDepth)]).map((e) => e.message);

describe('queryDepthRule', () => {
  it('accepts a query within the limit', () => {
    expect(errorsOf(`{ node { child { child { name } } } }`)).toEqual([]);
  });

  it('rejects depth beyond the limit, also through fragments and inline fragments', () => {
    expect(errorsOf(`{ node { child { child { child { name } } } } }`)).toEqual([expect.stringMatching(/depth 5 exceeds the limit of 4/)]);
    expect(errorsOf(`{ node { ...deep } } fragment deep on Node { child { child { child { name } } } }`)).toEqual([expect.stringMatching(/depth 5/)]);
    expect(errorsOf(`{ ... on Query { node { child { child { child { name } } } } } }`)).toEqual([expect.stringMatching(/depth 5/)]);
  });

  it('lets introspection nest deeper, but not without bound', () => {
    expect(errorsOf(`{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`)).toEqual([]);
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } } } }`;
    expect(errorsOf(deep)).toEqual([expect.stringMatching(/depth 25 exceeds the limit of 16/)]);
  });
});
