import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RegistryConfig } from '@lib/config';
import { RateLimiter } from './access/rate-limiter';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetricsMiddleware } from './metrics/http-metrics';

/** Request metrics, body limit, CORS and rate limiting: the same for the served app and the test harness. */
export const configureHttp = (app: NestExpressApplication, config: RegistryConfig): void => {
  // First, so that requests refused by the limits below are timed and counted too.
  app.use(httpMetricsMiddleware(app.get(ApiMetrics)));
  app.useBodyParser('json', { limit: config.access.maxBodyBytes });
  if (config.access.corsOrigins.length > 0) app.enableCors({ origin: [...config.access.corsOrigins], credentials: false });
  // With auth off every caller is the same anonymous admin: one shared bucket would throttle everyone.
  if (config.access.mode === 'token') app.use('/graphql', new RateLimiter(config.access.rateLimitPerSecond).middleware());
  app.enableShutdownHooks();
};
