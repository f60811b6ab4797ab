import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RegistryConfig } from '@lib/config';
import { accessMiddleware } from './access/access.middleware';
import { AccessService } from './access/access.service';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetricsMiddleware } from './metrics/http-metrics';

/** Request metrics, CORS, authentication with the rate limit, body limit: the same for the served app and the test harness. */
export const configureHttp = (app: NestExpressApplication, config: RegistryConfig): void => {
  // First, so that requests refused by the limits below are timed and counted too.
  app.use(httpMetricsMiddleware(app.get(ApiMetrics)));
  // CORS next: a browser's preflight carries no credentials.
  if (config.access.corsOrigins.length > 0) app.enableCors({ origin: [...config.access.corsOrigins], credentials: false });
  // Before the body parser, so that an unauthenticated or throttled request never has its body read.
  app.use('/graphql', accessMiddleware(app.get(AccessService), { idePage: config.access.introspection }));
  app.useBodyParser('json', { limit: config.access.maxBodyBytes });
  app.enableShutdownHooks();
};
