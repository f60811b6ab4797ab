import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadRegistryConfig } from '@lib/config';
import { RegistryModule } from './registry.module';

async function bootstrap(): Promise<void> {
  const apiOnly = process.argv.includes('--role=api');
  const config = loadRegistryConfig(process.env);
  const logger = new ConsoleLogger({ json: true });
  const app = await NestFactory.create(RegistryModule.forRoot(config, { projector: !apiOnly }), { logger, bodyParser: true });
  app.enableShutdownHooks();
  await app.listen(config.port, '0.0.0.0');
  logger.log({
    msg: 'registry started',
    role: apiOnly ? 'api' : 'api+projector',
    graphql: `http://localhost:${config.port}/graphql`,
  });
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : `startup failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
