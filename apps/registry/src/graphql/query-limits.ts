import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

interface Measure {
  readonly depth: number;
  readonly fields: number;
}

/** Depth and number of field selections, fragments expanded (a fragment cycle is another rule's error). */
const measure = (
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: ReadonlySet<string>,
): Measure => {
  if (!selectionSet) return { depth: 0, fields: 0 };
  let depth = 0;
  let fields = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure;
    if (selection.kind === Kind.FIELD) {
      const child = measure(selection.selectionSet, fragments, visiting);
      inner = { depth: child.depth + 1, fields: child.fields + 1 };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      inner = fragment && !visiting.has(name) ? measure(fragment.selectionSet, fragments, new Set([...visiting, name])) : { depth: 0, fields: 0 };
    }
    depth = Math.max(depth, inner.depth);
    fields += inner.fields;
  }
  return { depth, fields };
};

/** A root field is a database round trip (or a subscription); nested fields are cheap mapping. */
const ROOT_FIELD_COST = 50;
/**
 * Our schema has no cycles, so only introspection (`ofType { ofType { ... } }`) nests deeply; the
 * standard introspection query of GraphiQL and code generators needs about 14 levels.
 */
const INTROSPECTION_EXTRA_DEPTH = 12;

/**
 * Rejects, before anything executes, operations nested deeper than `maxDepth` or costing more
 * than `maxCost`: one per selected field plus ROOT_FIELD_COST per root field (aliases count, so a
 * thousand aliases of one query cost fifty thousand).
 */
export const queryLimitsRule =
  (maxDepth: number, maxCost: number) =>
  (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        const { depth, fields } = measure(operation.selectionSet, fragments, new Set());
        const roots = operation.selectionSet.selections.length;
        const introspection = operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
        const depthLimit = introspection ? maxDepth + INTROSPECTION_EXTRA_DEPTH : maxDepth;
        const cost = fields + roots * (ROOT_FIELD_COST - 1);
        if (depth > depthLimit) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${depthLimit} (MAX_QUERY_DEPTH${introspection ? ` + ${INTROSPECTION_EXTRA_DEPTH} for introspection` : ''})`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
        }
        if (cost > maxCost) {
          context.reportError(new GraphQLError(`query cost ${cost} (${fields} fields, ${roots} root fields at ${ROOT_FIELD_COST} each) exceeds the limit of ${maxCost} (MAX_QUERY_COST)`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
        }
      },
    };
  };
