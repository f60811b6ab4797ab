import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import { Kind, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { RequestContext } from '../commands/request-context';

/** Root fields whose answers depend only on the EndpointSlice rows (and the caller's scopes). */
const SLICE_FIELDS = new Set(['endpointSlices', 'endpointSlice', '__typename']);
/**
 * Room for one answer per service of a large fleet (1,000 services of 100 endpoints take ~27 MB);
 * everything is dropped at the next commit anyway.
 */
const MAX_BYTES = 64 * 1024 * 1024;
/** Answers nobody asked for this long are dropped, so a past burst of reads holds no memory. */
const IDLE_MS = 10_000;

/** Queries that read nothing but slices: root fields of SLICE_FIELDS only, no fragments at the root. */
export const readsOnlySlices = (operation: OperationDefinitionNode | undefined): boolean =>
  operation?.operation === 'query' &&
  operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && SLICE_FIELDS.has(s.name.value));

/**
 * Answers repeated slice queries from memory while nothing has been committed since. Every slice
 * write happens in a transaction that advances the resourceVersion counter, so a query answered
 * when the counter read N is answered identically while it still reads N: one tiny read replaces
 * the slice query and the GraphQL execution. Entries are kept per caller scopes, query and
 * variables, as JSON (a third of the objects' size; parsing one back costs far less than executing
 * it), and all dropped when the counter moves. Authentication and rate limits run first.
 */
export class SliceQueryCache {
  private resourceVersion?: string;
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  /** The key and counter a request would be cached under, from lookup to response. */
  private readonly pending = new WeakMap<object, { key: string; resourceVersion: string }>();

  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly readCounter: () => Promise<string>) {}

  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async () => ({
        responseForOperation: async (request) => this.lookup(request),
        willSendResponse: async (request) => this.store(request),
      }),
    };
  }

  private async lookup(request: GraphQLRequestContext<RequestContext>) {
    if (!readsOnlySlices(request.operation)) return null;
    // Read before the query runs: its answer reflects at least this counter, and exactly it if the counter is unchanged later.
    // Unreadable (Postgres down): the query runs as usual and reports why.
    const resourceVersion = await this.readCounter().catch(() => undefined);
    if (resourceVersion === undefined) return null;
    if (resourceVersion !== this.resourceVersion) this.clear(resourceVersion);
    this.idleTimer?.refresh();
    const key = JSON.stringify([request.contextValue.principal.scopes, request.queryHash, request.operationName, request.request.variables ?? {}]);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      return { body: { kind: 'single' as const, singleResult: JSON.parse(hit) as FormattedExecutionResult }, http: { status: undefined, headers: new HeaderMap() } };
    }
    this.pending.set(request, { key, resourceVersion });
    return null;
  }

  private store(request: GraphQLRequestContext<RequestContext>): void {
    const pending = this.pending.get(request);
    const body = request.response.body;
    if (!pending || body?.kind !== 'single' || body.singleResult.errors || pending.resourceVersion !== this.resourceVersion) return;
    const json = JSON.stringify(body.singleResult);
    if (this.bytes + json.length > MAX_BYTES) return;
    this.entries.set(pending.key, json);
    this.bytes += json.length;
    this.idleTimer ??= setTimeout(() => this.clear(undefined), IDLE_MS).unref();
  }

  private clear(resourceVersion: string | undefined): void {
    this.entries.clear();
    this.bytes = 0;
    this.resourceVersion = resourceVersion;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
