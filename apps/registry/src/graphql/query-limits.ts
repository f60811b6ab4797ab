import type { ApolloServerPlugin } from '@apollo/server';
import type { AccessConfig } from '@lib/config';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { operationCostError } from './query-cost';

/** Depth of a selection set, fragments expanded (a fragment cycle is another rule's error). */
const depthOf = (
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: ReadonlySet<string>,
): number => {
  if (!selectionSet) return 0;
  let depth = 0;
  for (const selection of selectionSet.selections) {
    let inner: number;
    if (selection.kind === Kind.FIELD) {
      inner = depthOf(selection.selectionSet, fragments, visiting) + 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = depthOf(selection.selectionSet, fragments, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      inner = fragment && !visiting.has(name) ? depthOf(fragment.selectionSet, fragments, new Set([...visiting, name])) : 0;
    }
    depth = Math.max(depth, inner);
  }
  return depth;
};

/**
 * Our schema has no cycles, so only introspection (`ofType { ofType { ... } }`) nests deeply; the
 * standard introspection query of GraphiQL and code generators needs about 14 levels.
 */
const INTROSPECTION_EXTRA_DEPTH = 12;

/** Rejects, before anything executes, operations nested deeper than `maxDepth`. */
export const queryDepthRule =
  (maxDepth: number) =>
  (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, fragments, new Set());
        const introspection = operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
        const depthLimit = introspection ? maxDepth + INTROSPECTION_EXTRA_DEPTH : maxDepth;
        if (depth > depthLimit) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${depthLimit} (MAX_QUERY_DEPTH${introspection ? ` + ${INTROSPECTION_EXTRA_DEPTH} for introspection` : ''})`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
        }
      },
    };
  };

/** The rules beyond GraphQL's own that every operation passes, whatever its transport. */
export const queryLimitRules = (limits: AccessConfig): ValidationRule[] => [
  queryDepthRule(limits.maxQueryDepth),
  ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
];

/**
 * The cost check over HTTP: Apollo's validation rules never see the variables, so it runs once
 * the operation is resolved, before execution.
 */
export const queryCostPlugin = (maxCost: number): ApolloServerPlugin => ({
  requestDidStart: async () => ({
    didResolveOperation: async ({ schema, document, request }) => {
      const costly = operationCostError(schema, document, request.variables, request.operationName, maxCost);
      if (costly) throw costly;
    },
  }),
});
