import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/** A root field is at least one database round trip (or a subscription): as dear as a thousand returned values. */
export const ROOT_FIELD_COST = 1000;

/**
 * The cost of a list field without a `first` argument that fetches other records (declared on the
 * field as `complexity`): each of the `items` it may return costs its selection.
 */
export const listComplexity =
  (items: number) =>
  ({ childComplexity }: { childComplexity: number }): number =>
    1 + items * childComplexity;

/**
 * One per field, times the `first` of a paged field (the schema's default when absent), so nested
 * lists multiply along the path; ROOT_FIELD_COST per root field. Lists inside one record (a slice's
 * endpoints, a service's ports) count once: they are bounded by the record (MAX_ENDPOINTS_PER_SLICE).
 */
const pagedEstimator =
  (schema: GraphQLSchema): ComplexityEstimator =>
  ({ type, args, childComplexity }) => {
    const root = type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
    const items = typeof args.first === 'number' ? args.first : 1;
    return (root ? ROOT_FIELD_COST : 1) + items * childComplexity;
  };

/**
 * The cost of the operation to run, with its variables (a `first: $n` counts as sent), every
 * fragment and inline fragment expanded; an error when it exceeds `maxCost` or cannot be measured.
 */
export const operationCostError = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  operationName: string | null | undefined,
  maxCost: number,
): GraphQLError | undefined => {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: { ...variables },
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), pagedEstimator(schema)],
    });
  } catch (error) {
    return new GraphQLError(`cannot measure the query's cost: ${(error as Error).message}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (cost <= maxCost) return undefined;
  return new GraphQLError(
    `query cost ${cost} exceeds the limit of ${maxCost} (MAX_QUERY_COST; ${ROOT_FIELD_COST} per root field, 1 per field, lists times their "first")`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
};
