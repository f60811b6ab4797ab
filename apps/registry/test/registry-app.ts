import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RegistryConfig } from '@lib/config';
import { configureHttp } from '../src/http-setup';
import { RegistryModule, type RegistryRoles } from '../src/registry.module';

export interface RunningRegistry {
  readonly url: string;
  readonly app: INestApplication;
  close(): Promise<void>;
}

/** Boots the real app (real Kafka, real Postgres) on an ephemeral port. */
export const startRegistry = async (
  config: RegistryConfig,
  roles: RegistryRoles = { projector: true },
  logger: LoggerService | LogLevel[] = ['error'],
): Promise<RunningRegistry> => {
  const app = await NestFactory.create<NestExpressApplication>(RegistryModule.forRoot(config, roles), {
    logger,
    abortOnError: false,
    bodyParser: false,
  });
  configureHttp(app, config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, app, close: () => app.close() };
};
