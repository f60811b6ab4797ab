import { buildSchema, parse } from 'graphql';
import { operationCostError, ROOT_FIELD_COST } from './query-cost';

const schema = buildSchema(`
  type Item { name: String tags: [String] children(first: Int = 10): ItemConnection }
  type ItemConnection { nodes: [Item] totalCount: Int }
  type Query { item: Item items(first: Int = 100): ItemConnection }
`);

/** The cost the rule computed, read back from its message (undefined: within the limit). */
const costOf = (query: string, variables: Record<string, unknown> = {}, maxCost = 0): number | undefined => {
  const error = operationCostError(schema, parse(query), variables, undefined, maxCost);
  const match = /query cost (\d+)/.exec(error?.message ?? '');
  return match ? Number(match[1]) : undefined;
};

describe('operationCostError: what a query can return', () => {
  it('charges every root field, aliases included', () => {
    expect(costOf(`{ item { name } }`)).toBe(ROOT_FIELD_COST + 1);
    expect(costOf(`{ a: item { name } b: item { name } }`)).toBe(2 * (ROOT_FIELD_COST + 1));
  });

  it('counts fields inside fragments and inline fragments, root fields too', () => {
    const plain = costOf(`{ a: item { name tags } b: item { name } }`);
    expect(costOf(`{ ... on Query { a: item { ...F } b: item { name } } } fragment F on Item { name ... on Item { tags } }`)).toBe(plain);
  });

  it('multiplies a paged field by its first, the schema default when absent, or the variable sent', () => {
    expect(costOf(`{ items(first: 5) { nodes { name } } }`)).toBe(ROOT_FIELD_COST + 5 * 2);
    expect(costOf(`{ items { nodes { name } } }`)).toBe(ROOT_FIELD_COST + 100 * 2);
    expect(costOf(`query($n: Int) { items(first: $n) { nodes { name } } }`, { n: 1000 })).toBe(ROOT_FIELD_COST + 1000 * 2);
  });

  it('multiplies nested lists along the path', () => {
    expect(costOf(`{ items(first: 10) { nodes { children(first: 20) { nodes { name } } } } }`)).toBe(ROOT_FIELD_COST + 10 * (1 + 1 + 20 * 2));
  });

  it('refuses only above the limit, naming MAX_QUERY_COST', () => {
    const query = parse(`{ items(first: 5) { nodes { name } } }`);
    expect(operationCostError(schema, query, {}, undefined, ROOT_FIELD_COST + 10)).toBeUndefined();
    expect(operationCostError(schema, query, {}, undefined, ROOT_FIELD_COST + 9)?.message).toMatch(/exceeds the limit of 1009 \(MAX_QUERY_COST/);
  });
});
