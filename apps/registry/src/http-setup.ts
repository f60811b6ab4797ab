import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RegistryConfig } from '@lib/config';
import { accessMiddleware } from './access/access.middleware';
import { AccessService } from './access/access.service';

/** CORS, authentication with the rate limit, body limit: the same for the served app and the test harness. */
export const configureHttp = (app: NestExpressApplication, config: RegistryConfig): void => {
  // CORS first: a browser's preflight carries no credentials.
  if (config.access.corsOrigins.length > 0) app.enableCors({ origin: [...config.access.corsOrigins], credentials: false });
  // Before the body parser, so that an unauthenticated or throttled request never has its body read.
  app.use('/graphql', accessMiddleware(app.get(AccessService)));
  app.useBodyParser('json', { limit: config.access.maxBodyBytes });
  app.enableShutdownHooks();
};
