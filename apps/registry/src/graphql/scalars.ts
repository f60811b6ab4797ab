import { Kind, GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string');

const literalToStringMap = (ast: ValueNode): Record<string, string> => {
  if (ast.kind !== Kind.OBJECT) throw new GraphQLError('JSONObject: expected an object of string values');
  const result: Record<string, string> = {};
  for (const field of ast.fields) {
    if (field.value.kind !== Kind.STRING) {
      throw new GraphQLError(`JSONObject: value of "${field.name.value}" must be a string`);
    }
    result[field.name.value] = field.value.value;
  }
  return result;
};

/** string -> string map (labels, annotations), as PRODUCT.md defines it. */
export const JSONObjectScalar = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A map from string keys to string values (labels, annotations).',
  serialize: (value) => value,
  parseValue: (value) => {
    if (!isStringMap(value)) throw new GraphQLError('JSONObject: expected an object whose values are strings');
    return value;
  },
  parseLiteral: literalToStringMap,
});


export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An RFC 3339 date-time string.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new GraphQLError('DateTime: expected an RFC 3339 string');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value))) throw new GraphQLError('DateTime: expected an RFC 3339 string');
    return ast.value;
  },
});
