import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { toCodeLabel, type ApiMetrics } from './api-metrics';

/** What GraphQL made of a request, left by the Apollo plugin for the timing middleware. */
export interface GraphQLOutcome {
  readonly operation: 'query' | 'mutation' | 'subscription' | 'unknown';
  readonly codes: readonly string[];
}

const outcomes = new WeakMap<IncomingMessage, GraphQLOutcome>();

export const recordGraphQLOutcome = (request: IncomingMessage, outcome: GraphQLOutcome): void => {
  outcomes.set(request, outcome);
};

/** Requests answered before GraphQL ran (rate limiter, body limit, context creation): the status says why. */
const STATUS_CODES: Readonly<Record<number, string>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };
const codeOfStatus = (status: number): string => (status < 400 ? 'OK' : (STATUS_CODES[status] ?? `HTTP_${status}`));

const GRAPHQL_PATH = '/graphql';

const metered = new WeakSet<IncomingMessage>();

/**
 * Times an HTTP request to its end (or abort), once however many paths it takes (the GraphQL fast
 * lane, then Express). Labels stay bounded: the route is /graphql or a route pattern of the app's
 * own controllers (never the raw path), the operation is its GraphQL type, the code is OK or one
 * error code.
 */
export const meterRequest = (metrics: ApiMetrics, req: IncomingMessage & { originalUrl?: string; route?: unknown }, res: ServerResponse): void => {
  if (metered.has(req)) return;
  metered.add(req);
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const graphql = (req.originalUrl ?? req.url ?? '').split('?')[0] === GRAPHQL_PATH;
    const outcome = outcomes.get(req);
    const codes = outcome ? outcome.codes.map(toCodeLabel) : [codeOfStatus(res.statusCode)];
    const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
    metrics.requestDuration.observe(Number(process.hrtime.bigint() - started) / 1e9, {
      route: graphql ? GRAPHQL_PATH : typeof route === 'string' ? route : 'unmatched',
      operation: graphql ? (outcome?.operation ?? 'unknown') : 'other',
      code: codes[0] ?? 'OK',
    });
    metrics.countRefusals(codes, 'http');
  });
};

export const httpMetricsMiddleware =
  (metrics: ApiMetrics) =>
  (req: Request, res: Response, next: NextFunction): void => {
    meterRequest(metrics, req, res);
    next();
  };
