import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { LruMap } from '../access/lru-map';
import { operationCostError } from './query-cost';

/** Documents remembered per process: clients send a handful of distinct operations, each many times. */
const MAX_DOCUMENTS = 1000;
/** Longer query texts (generated or hostile) are parsed each time rather than held in memory. */
const MAX_CACHED_QUERY_CHARS = 16 * 1024;

/** One query text parsed and validated once, with what later requests of it need. */
export interface PreparedDocument {
  readonly document: DocumentNode;
  /** GraphQL's rules plus the registry's limits; empty when the document is valid. */
  readonly errors: readonly GraphQLError[];
  /**
   * Whether the cost can change with the variables: a `first` argument or a directive (@skip,
   * @include) bound to one. Otherwise one check per operation name holds for every request.
   */
  readonly costNeedsVariables: boolean;
  /** Operation names whose cost was checked within the limit (only when !costNeedsVariables). */
  readonly withinCost: Set<string>;
}

const takesVariable = (value: ValueNode): boolean =>
  value.kind === Kind.VARIABLE ||
  (value.kind === Kind.LIST && value.values.some(takesVariable)) ||
  (value.kind === Kind.OBJECT && value.fields.some((field) => takesVariable(field.value)));

/** Whether any `first` argument or directive argument of the document takes a variable. */
const costDependsOnVariables = (document: DocumentNode): boolean => {
  let depends = false;
  visit(document, {
    Argument(argument, _key, _parent, _path, ancestors) {
      const parent = ancestors[ancestors.length - 1];
      const inDirective = !Array.isArray(parent) && (parent as { kind?: Kind }).kind === Kind.DIRECTIVE;
      if ((argument.name.value === 'first' || inDirective) && takesVariable(argument.value)) depends = true;
    },
  });
  return depends;
};

/**
 * Parses and validates each distinct query text once (bounded LRU), and remembers the cost check
 * of documents whose cost cannot vary: the work every request of a repeated operation shares.
 */
export class PreparedDocuments {
  private readonly cache = new LruMap<string, PreparedDocument>(MAX_DOCUMENTS);
  private readonly rules: readonly ValidationRule[];

  constructor(
    extraRules: readonly ValidationRule[],
    private readonly maxCost: number,
  ) {
    this.rules = [...specifiedRules, ...extraRules];
  }

  /** The prepared document, or the syntax error of the text. */
  prepare(schema: GraphQLSchema, query: string): PreparedDocument | GraphQLError {
    const known = this.cache.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return error as GraphQLError;
    }
    const prepared: PreparedDocument = {
      document,
      errors: validate(schema, document, this.rules),
      costNeedsVariables: costDependsOnVariables(document),
      withinCost: new Set(),
    };
    if (query.length <= MAX_CACHED_QUERY_CHARS) this.cache.set(query, prepared);
    return prepared;
  }

  /** The operation to run: the named one, or the only one. */
  operation(prepared: PreparedDocument, operationName: string | null | undefined): OperationDefinitionNode | undefined {
    return getOperationAST(prepared.document, operationName) ?? undefined;
  }

  /** The cost error of running this operation with these variables (checked once when they cannot change it). */
  costError(
    schema: GraphQLSchema,
    prepared: PreparedDocument,
    variables: Readonly<Record<string, unknown>> | undefined,
    operationName: string | null | undefined,
  ): GraphQLError | undefined {
    const key = operationName ?? '';
    if (!prepared.costNeedsVariables && prepared.withinCost.has(key)) return undefined;
    const error = operationCostError(schema, prepared.document, variables, operationName, this.maxCost);
    if (!error && !prepared.costNeedsVariables) prepared.withinCost.add(key);
    return error;
  }

  /**
   * Everything an operation must pass before it runs (GraphQL's rules, the registry's limits, the
   * cost with the operation's variables): the same checks for every transport.
   */
  errorsOf(
    schema: GraphQLSchema,
    query: string,
    variables: Readonly<Record<string, unknown>> | undefined,
    operationName: string | null | undefined,
  ): { prepared?: PreparedDocument; errors: readonly GraphQLError[] } {
    const prepared = this.prepare(schema, query);
    if (prepared instanceof GraphQLError) return { errors: [prepared] };
    if (prepared.errors.length > 0) return { prepared, errors: prepared.errors };
    const costly = this.costError(schema, prepared, variables, operationName);
    return { prepared, errors: costly ? [costly] : [] };
  }
}
