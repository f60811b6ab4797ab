import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadRegistryConfig } from '@lib/config';
import { ProjectorAppModule } from './projector.module';

/** The projector serves only /healthz, /readyz and /metrics. */
async function bootstrap(): Promise<void> {
  const config = loadRegistryConfig(process.env);
  if (!config.databaseUrl) {
    throw new ConfigError('DATABASE_URL: a separate projector needs the Postgres the API uses; for one process with embedded storage run `npm start`');
  }
  const logger = new ConsoleLogger({ json: true });
  const app = await NestFactory.create(ProjectorAppModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.log({ msg: 'projector started', groupId: config.projectorGroupId, topic: config.eventsTopic });
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : `startup failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
