import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, execute, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { principalOf } from '../access/access.middleware';
import type { RequestContext } from '../commands/request-context';
import { toCodeLabel } from '../metrics/api-metrics';
import { recordGraphQLOutcome } from '../metrics/http-metrics';
import { formatErrors } from './format-error';
import type { PreparedDocuments } from './prepared-documents';
import type { SliceQueryCache } from './slice-query-cache';

/** The body of one GraphQL-over-HTTP request this handler serves; anything else is Apollo's. */
interface PlainRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const plainRequest = (body: unknown): PlainRequest | undefined => {
  if (!isRecord(body) || typeof body.query !== 'string' || body.extensions !== undefined) return undefined;
  if (body.variables != null && !isRecord(body.variables)) return undefined;
  if (body.operationName != null && typeof body.operationName !== 'string') return undefined;
  return body as unknown as PlainRequest;
};

/** Clients that take plain JSON (what Apollo answers them with); graphql-response+json is left to Apollo. */
const takesJson = (accept: string | undefined): boolean =>
  accept === undefined || accept === '*/*' || (accept.includes('application/json') && !accept.includes('graphql-response'));

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** Apollo's serialization: errors, data, extensions, then a newline. */
const send = (res: ServerResponse, json: string): void => {
  const body = `${json}\n`;
  res.statusCode = 200;
  res.setHeader('content-type', CONTENT_TYPE);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
};

const formatted = (result: ExecutionResult): FormattedExecutionResult => ({
  ...(result.errors && { errors: formatErrors(result.errors) }),
  data: result.data,
  ...(result.extensions && { extensions: result.extensions }),
});

/**
 * POST /graphql without Apollo's request pipeline: a repeated document is parsed, validated and
 * cost-checked once (PreparedDocuments), the operation executes with graphql-js, and the answer
 * is written as Apollo writes it. Only requests that execute cleanly are answered here: anything
 * else (batches, GET, persisted queries, other media types, syntax, validation, cost or variable
 * errors, subscriptions) goes on to Apollo, so every error, status code and header stays Apollo's.
 * Runs after authentication and the body parser: in the GraphQL fast lane, or as Express middleware.
 */
export const graphqlHttpHandler =
  (schemaOf: () => GraphQLSchema, documents: PreparedDocuments, sliceCache: SliceQueryCache) =>
  async (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: () => void): Promise<void> => {
    const request = req.method === 'POST' && takesJson(req.headers.accept) ? plainRequest(req.body) : undefined;
    if (!request) return next();
    const schema = schemaOf();
    const prepared = documents.prepare(schema, request.query);
    if (prepared instanceof GraphQLError || prepared.errors.length > 0) return next();
    const operation = documents.operation(prepared, request.operationName);
    if (!operation || operation.operation === 'subscription') return next();
    const variables = request.variables ?? undefined;
    if (documents.costError(schema, prepared, variables, request.operationName)) return next();

    const contextValue: RequestContext = { req, principal: principalOf(req) };
    const cached = await sliceCache.find(operation, contextValue.principal.scopes, request.query, request.operationName, variables);
    if (cached && 'json' in cached) {
      recordGraphQLOutcome(req, { operation: operation.operation, codes: [] });
      return send(res, cached.json);
    }
    const result = await execute({ schema, document: prepared.document, contextValue, variableValues: variables, operationName: request.operationName });
    // No data: the variables did not fit the operation, and nothing ran; Apollo reports it with its status.
    if (!('data' in result)) return next();
    const answer = formatted(result);
    recordGraphQLOutcome(req, { operation: operation.operation, codes: (answer.errors ?? []).map((e) => toCodeLabel(e.extensions?.code)) });
    send(res, (cached && sliceCache.save(cached.ticket, answer)) ?? JSON.stringify(answer));
  };
