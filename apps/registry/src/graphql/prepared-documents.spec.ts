import { GraphQLError, buildSchema } from 'graphql';
import { PreparedDocuments, type PreparedDocument } from './prepared-documents';
import { queryDepthRule } from './query-limits';

const schema = buildSchema(`
  type Item { name: String, children(first: Int): [Item] }
  type Query { items(first: Int): [Item], item(name: String!): Item }
`);

const prepared = (documents: PreparedDocuments, query: string): PreparedDocument => {
  const result = documents.prepare(schema, query);
  if (result instanceof GraphQLError) throw result;
  return result;
};

describe('PreparedDocuments: the work a repeated document shares', () => {
  it('parses and validates a query text once and hands the same document back', () => {
    const documents = new PreparedDocuments([], 10_000);
    const first = prepared(documents, '{ items { name } }');
    expect(first.errors).toEqual([]);
    expect(prepared(documents, '{ items { name } }')).toBe(first);
  });

  it('keeps validation errors with the document, the registry rules included', () => {
    const documents = new PreparedDocuments([queryDepthRule(2)], 10_000);
    expect(prepared(documents, '{ nope }').errors[0].message).toContain('Cannot query field "nope"');
    expect(prepared(documents, '{ items { children { name } } }').errors[0].message).toContain('query depth 3 exceeds the limit of 2');
  });

  it('returns the syntax error of a text that does not parse', () => {
    const result = new PreparedDocuments([], 10_000).prepare(schema, '{ items {');
    expect(result).toBeInstanceOf(GraphQLError);
    expect((result as GraphQLError).message).toContain('Syntax Error');
  });

  it('does not keep very long texts', () => {
    const documents = new PreparedDocuments([], 10_000);
    const long = `{ ${Array.from({ length: 600 }, (_, i) => `an_alias_of_items_${i}: items { name }`).join(' ')} }`;
    expect(prepared(documents, long)).not.toBe(prepared(documents, long));
  });

  it('checks the cost once when the variables cannot change it', () => {
    const documents = new PreparedDocuments([], 10_000);
    const query = 'query($n: String!) { item(name: $n) { name } }';
    const document = prepared(documents, query);
    expect(document.costNeedsVariables).toBe(false);
    expect(documents.costError(schema, document, { n: 'a' }, undefined)).toBeUndefined();
    expect(document.withinCost.has('')).toBe(true);
  });

  it('checks the cost of every request when a `first` or a directive takes a variable', () => {
    const documents = new PreparedDocuments([], 10_000);
    const paged = prepared(documents, 'query($n: Int) { items(first: $n) { name } }');
    expect(paged.costNeedsVariables).toBe(true);
    expect(documents.costError(schema, paged, { n: 10 }, undefined)).toBeUndefined();
    expect(documents.costError(schema, paged, { n: 50000 }, undefined)?.message).toContain('exceeds the limit of 10000');
    expect(prepared(documents, 'query($s: Boolean!) { items { name @skip(if: $s) } }').costNeedsVariables).toBe(true);
  });

  it('reports every check of an operation for transports without Apollo (graphql-ws)', () => {
    const documents = new PreparedDocuments([], 10_000);
    expect(documents.errorsOf(schema, '{ items(first: 50000) { name } }', undefined, undefined).errors[0].message).toContain('query cost');
    expect(documents.errorsOf(schema, '{ items { name } }', undefined, undefined)).toMatchObject({ errors: [] });
    expect(documents.errorsOf(schema, '{', undefined, undefined).prepared).toBeUndefined();
  });
});
