import { Logger } from '@nestjs/common';
import { DomainError } from '@lib/domain';
import { AppendOutcomeUnknownError, LogUnavailableError, RecordTooLargeError } from '@lib/messaging';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export type RegistryErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RESOURCE_VERSION_TOO_OLD'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'SUBSCRIBER_TOO_SLOW'
  | 'INTERNAL_SERVER_ERROR';

/** An error the API raises itself, with its public code. */
export class ApiError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const logger = new Logger('GraphQL');

// Postgres unreachable, or too slow to answer within its timeouts (PG_*_TIMEOUT_MS): the client's
// query_timeout ("Query read timeout"), the pool's connect timeout, the server's statement,
// lock and idle-in-transaction timeouts (57014, 55P03, 25P03), a lost or closed connection, and
// the pool refusing connections while the server is known not to answer (stalled-server-guard.ts).
const PG_UNAVAILABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|Query read timeout|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error|Client was closed and is not queryable|Postgres is not answering/i;
const PG_UNAVAILABLE_CODES = ['57P01', '57P03', '57014', '55P03', '25P03', '08000', '08003', '08006', '08001'];

export const isUnavailable = (error: Error): boolean =>
  error instanceof LogUnavailableError ||
  error instanceof AppendOutcomeUnknownError ||
  PG_UNAVAILABLE.test(error.message) ||
  PG_UNAVAILABLE_CODES.includes((error as { code?: string }).code ?? '');

/** The argument that carries a mutation's events, named when the command as a whole is refused. */
const COMMAND_ARGUMENT: Readonly<Record<string, string>> = { registerEndpoints: 'inputs', deregisterEndpoints: 'ids' };

/** The single translation from thrown errors to GraphQL error codes; never leaks stacks or SQL. */
export const toGraphQLError = (
  error: unknown,
  operation?: string,
): { message: string; code: RegistryErrorCode; extensions?: Record<string, unknown> } => {
  if (error instanceof DomainError) return { message: error.message, code: error.code, extensions: { field: error.field, rule: error.rule } };
  if (error instanceof ApiError) return { message: error.message, code: error.code, extensions: error.extensions };
  if (error instanceof RecordTooLargeError) {
    const field = (operation && COMMAND_ARGUMENT[operation]) ?? 'input';
    return { message: `${field}: ${error.message}`, code: 'BAD_USER_INPUT', extensions: { field, rule: error.message } };
  }
  if (error instanceof AppendOutcomeUnknownError) {
    return {
      message: `the outcome of the append is unknown: ${error.message}; ask commandOutcome(id) for the verdict`,
      code: 'UNAVAILABLE',
      extensions: { outcome: 'UNKNOWN', ...(error.commandId === undefined ? {} : { commandId: error.commandId }) },
    };
  }
  if (error instanceof Error && isUnavailable(error)) {
    return { message: `registry storage unavailable: ${error instanceof LogUnavailableError ? error.message : 'Postgres is unreachable'}`, code: 'UNAVAILABLE' };
  }
  logger.error({ msg: 'unexpected error', error: error instanceof Error ? error.message : String(error) });
  return { message: 'internal error', code: 'INTERNAL_SERVER_ERROR' };
};

/** The HTTP status of an error refused before any GraphQL runs (authentication, rate limit, storage). */
const HTTP_STATUS: Readonly<Partial<Record<RegistryErrorCode, number>>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429, UNAVAILABLE: 503 };
export const httpStatusOf = (code: RegistryErrorCode): number => HTTP_STATUS[code] ?? 500;

export const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (!original || (error instanceof GraphQLError && !error.originalError)) {
    // Parse/validation errors of the document itself: the client's input.
    const code = (formatted.extensions?.code as string | undefined) ?? 'BAD_USER_INPUT';
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' ? 'BAD_USER_INPUT' : code } };
  }
  if (original instanceof GraphQLError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.extensions?.code ?? 'BAD_USER_INPUT' } };
  }
  const { message, code, extensions } = toGraphQLError(original, typeof formatted.path?.[0] === 'string' ? formatted.path[0] : undefined);
  return { message, locations: formatted.locations, path: formatted.path, extensions: { ...extensions, code } };
};

/** formatError over errors that did not pass through Apollo (graphql-ws, the direct HTTP handler). */
export const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((error) => formatError(error.toJSON(), error));
