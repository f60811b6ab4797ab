import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadRegistryConfig } from '@lib/config';
import { configureHttp } from './http-setup';
import { RegistryModule } from './registry.module';
import { runMode, startupBanner } from './startup-banner';

async function bootstrap(): Promise<void> {
  const apiOnly = process.argv.includes('--role=api');
  const config = loadRegistryConfig(process.env);
  if (apiOnly && runMode(config) === 'embedded') {
    // PGlite lives inside one process: an API-only process would have nobody to project its events.
    throw new ConfigError('--role=api needs DATABASE_URL: in embedded mode API and projector run in one process (npm start)');
  }
  const logger = new ConsoleLogger({ json: true });
  const app = await NestFactory.create<NestExpressApplication>(RegistryModule.forRoot(config, { projector: !apiOnly }), {
    logger,
    bodyParser: false,
  });
  configureHttp(app, config);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const banner = startupBanner(config, port, apiOnly ? 'api' : 'api+projector');
  logger.log(banner.fields);
  if (config.access.mode === 'off') logger.warn({ msg: 'AUTH_MODE=off: no authentication, every caller is an admin; never expose this port' });
  // The human banner is for a terminal or the quick start; log collectors get the line above.
  if (runMode(config) === 'embedded' || process.stdout.isTTY) process.stdout.write(`${banner.text}\n`);
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : `startup failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
