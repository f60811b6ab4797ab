import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { RegistryConfig } from '@lib/config';
import cors from 'cors';
import { json } from 'express';
import { accessMiddleware, authenticateRequest } from './access/access.middleware';
import { AccessService } from './access/access.service';
import { fastLaneFailures, graphqlFastLane } from './graphql/graphql-fast-lane';
import { graphqlHttpHandler } from './graphql/graphql-http.handler';
import { PreparedDocuments } from './graphql/prepared-documents';
import { SliceQueryCache } from './graphql/slice-query-cache';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetricsMiddleware, meterRequest } from './metrics/http-metrics';

/**
 * How long an idle kept-alive connection stays open. Clients and load balancers keep idle
 * connections for up to a minute (60 s is a common default); Node's 5 s closes them first, and a
 * request a client sends on such a connection as the server closes it fails with a reset.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Request metrics, CORS, authentication with the rate limit, body limit, the direct GraphQL handler
 * (and its fast lane in front of Express): the same for the served app and the test harness.
 */
export const configureHttp = (app: NestExpressApplication, config: RegistryConfig): void => {
  const metrics = app.get(ApiMetrics);
  const access = app.get(AccessService);
  const server = app.getHttpServer();
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Without origins CORS stays closed: no header is added, preflights get no grant.
  const applyCors = config.access.corsOrigins.length > 0 ? cors({ origin: [...config.access.corsOrigins], credentials: false }) : undefined;
  const parseJson = json({ limit: config.access.maxBodyBytes });
  // The fast lane's answers never passed through Express to get it; no answer names the platform.
  app.disable('x-powered-by');
  // First, so that requests refused by the limits below are timed and counted too.
  app.use(httpMetricsMiddleware(metrics));
  // CORS next: a browser's preflight carries no credentials.
  if (applyCors) app.use(applyCors);
  // Before the body parser, so that an unauthenticated or throttled request never has its body read.
  app.use('/graphql', accessMiddleware(access, { idePage: config.access.introspection }));
  const direct = config.graphqlHttpPipeline === 'direct';
  if (direct) app.use(fastLaneFailures);
  app.use(parseJson);
  if (direct) {
    // Before Apollo's own middleware (mounted at init): plain POSTs that execute cleanly are answered here.
    const schemaHost = app.get(GraphQLSchemaHost);
    const handle = graphqlHttpHandler(() => schemaHost.schema, app.get(PreparedDocuments), app.get(SliceQueryCache));
    app.use('/graphql', handle);
    const [express] = server.listeners('request') as RequestListener[];
    server.removeListener('request', express);
    const meter = (req: IncomingMessage, res: ServerResponse) => meterRequest(metrics, req, res);
    const authenticate = (req: IncomingMessage) => authenticateRequest(access, req);
    const allowOrigin = (req: IncomingMessage, res: ServerResponse, next: () => void) => (applyCors ? applyCors(req, res, next) : next());
    server.on('request', graphqlFastLane({ express, meter, allowOrigin, authenticate, parseJson, handle }));
  }
  app.enableShutdownHooks();
};
