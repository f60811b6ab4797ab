import { Logger } from '@nestjs/common';
import { DomainError } from '@lib/domain';
import { LogUnavailableError } from '@lib/messaging';
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

const PG_UNAVAILABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i;

export const isUnavailable = (error: Error): boolean =>
  error instanceof LogUnavailableError || PG_UNAVAILABLE.test(error.message) || ['57P01', '57P03', '08006', '08001'].includes((error as { code?: string }).code ?? '');

/** The single translation from thrown errors to GraphQL error codes; never leaks stacks or SQL. */
export const toGraphQLError = (error: unknown): { message: string; code: RegistryErrorCode; extensions?: Record<string, unknown> } => {
  if (error instanceof DomainError) return { message: error.message, code: error.code, extensions: { field: error.field, rule: error.rule } };
  if (error instanceof ApiError) return { message: error.message, code: error.code, extensions: error.extensions };
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
  const { message, code, extensions } = toGraphQLError(original);
  return { message, locations: formatted.locations, path: formatted.path, extensions: { ...extensions, code } };
};
