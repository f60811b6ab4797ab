import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { Kind, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../access/principal';
import type { RequestContext } from '../commands/request-context';

/** Where an executed answer is remembered: its key and the counter it was read under. */
export interface SliceCacheTicket {
  readonly key: string;
  readonly resourceVersion: string;
}

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
  private readonly pending = new WeakMap<object, SliceCacheTicket>();

  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly readCounter: () => Promise<string>) {}

  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async () => ({
        responseForOperation: async (request) => {
          const found = await this.find(request.operation, request.contextValue.principal.scopes, request.queryHash, request.operationName, request.request.variables);
          if (!found) return null;
          if ('json' in found) {
            return { body: { kind: 'single' as const, singleResult: JSON.parse(found.json) as FormattedExecutionResult }, http: { status: undefined, headers: new HeaderMap() } };
          }
          this.pending.set(request, found.ticket);
          return null;
        },
        willSendResponse: async (request) => {
          const ticket = this.pending.get(request);
          const body = request.response.body;
          if (ticket && body?.kind === 'single') this.save(ticket, body.singleResult);
        },
      }),
    };
  }

  /**
   * The remembered answer (JSON) of this read, or the ticket to save its answer under once
   * executed; undefined when the operation is not a slice read or the counter cannot be read.
   * `queryId` names the query text (its hash, or the text itself).
   */
  async find(
    operation: OperationDefinitionNode | undefined,
    scopes: Principal['scopes'],
    queryId: string | undefined,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): Promise<{ json: string } | { ticket: SliceCacheTicket } | undefined> {
    if (!readsOnlySlices(operation)) return undefined;
    // Read before the query runs: its answer reflects at least this counter, and exactly it if the counter is unchanged later.
    // Unreadable (Postgres down): the query runs as usual and reports why.
    const resourceVersion = await this.readCounter().catch(() => undefined);
    if (resourceVersion === undefined) return undefined;
    if (resourceVersion !== this.resourceVersion) this.clear(resourceVersion);
    this.idleTimer?.refresh();
    const key = JSON.stringify([scopes, queryId, operationName, variables ?? {}]);
    const hit = this.entries.get(key);
    if (hit !== undefined) return { json: hit };
    return { ticket: { key, resourceVersion } };
  }

  /** Remembers an executed answer (without errors) while the counter it was read under still holds; returns its JSON when it was computed here. */
  save(ticket: SliceCacheTicket, result: FormattedExecutionResult, json?: string): string | undefined {
    if (result.errors || ticket.resourceVersion !== this.resourceVersion) return undefined;
    const text = json ?? JSON.stringify(result);
    // The key counts too: over HTTP it holds the query text itself.
    const size = ticket.key.length + text.length;
    if (this.bytes + size > MAX_BYTES) return text;
    this.entries.set(ticket.key, text);
    this.bytes += size;
    this.idleTimer ??= setTimeout(() => this.clear(undefined), IDLE_MS).unref();
    return text;
  }

  private clear(resourceVersion: string | undefined): void {
    this.entries.clear();
    this.bytes = 0;
    this.resourceVersion = resourceVersion;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
