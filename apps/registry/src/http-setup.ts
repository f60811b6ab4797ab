import type { NestExpressApplication } from '@nestjs/platform-express';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { RegistryConfig } from '@lib/config';
import { accessMiddleware } from './access/access.middleware';
import { AccessService } from './access/access.service';
import { graphqlHttpHandler } from './graphql/graphql-http.handler';
import { PreparedDocuments } from './graphql/prepared-documents';
import { SliceQueryCache } from './graphql/slice-query-cache';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetricsMiddleware } from './metrics/http-metrics';

/** Request metrics, CORS, authentication with the rate limit, body limit, the direct GraphQL handler: the same for the served app and the test harness. */
export const configureHttp = (app: NestExpressApplication, config: RegistryConfig): void => {
  // First, so that requests refused by the limits below are timed and counted too.
  app.use(httpMetricsMiddleware(app.get(ApiMetrics)));
  // CORS next: a browser's preflight carries no credentials.
  if (config.access.corsOrigins.length > 0) app.enableCors({ origin: [...config.access.corsOrigins], credentials: false });
  // Before the body parser, so that an unauthenticated or throttled request never has its body read.
  app.use('/graphql', accessMiddleware(app.get(AccessService), { idePage: config.access.introspection }));
  app.useBodyParser('json', { limit: config.access.maxBodyBytes });
  // Before Apollo's own middleware (mounted at init): plain POSTs that execute cleanly are answered here.
  if (config.graphqlHttpPipeline === 'direct') {
    const schemaHost = app.get(GraphQLSchemaHost);
    app.use('/graphql', graphqlHttpHandler(() => schemaHost.schema, app.get(PreparedDocuments), app.get(SliceQueryCache)));
  }
  app.enableShutdownHooks();
};
