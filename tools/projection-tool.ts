import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, ConfigModule, loadRegistryConfig, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, MessagingModule, type EventLog } from '@lib/messaging';
import { PersistenceModule, ProjectionRepositories } from '@lib/persistence';
import type { MaintenanceOptions } from '@lib/projection';
import { DataSource } from 'typeorm';

@Module({})
class ProjectionToolModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return { module: ProjectionToolModule, imports: [ConfigModule.forRoot(config), PersistenceModule, MessagingModule] };
  }
}

/** Boots just persistence + the event log (Kafka or the Postgres-backed log) for an operator tool. */
export const runProjectionTool = (
  name: string,
  work: (dataSource: DataSource, eventLog: EventLog, options: MaintenanceOptions) => Promise<number>,
): void => {
  const main = async (): Promise<number> => {
    const config = loadRegistryConfig(process.env);
    if (!config.databaseUrl) {
      throw new ConfigError(`DATABASE_URL: ${name} needs the registry's Postgres (in embedded mode, stop the registry and run it against DATA_DIR's database with DATABASE_URL)`);
    }
    const app = await NestFactory.createApplicationContext(ProjectionToolModule.forRoot(config), { logger: ['error', 'warn'] });
    try {
      return await work(app.get(DataSource), app.get<EventLog>(EVENT_LOG), {
        databaseUrl: config.databaseUrl,
        groupId: config.projectorGroupId,
        eventsTopic: config.eventsTopic,
        maxEndpointsPerSlice: config.maxEndpointsPerSlice,
        cacheEndpoints: config.projectorCacheEndpoints,
        repositories: app.get(ProjectionRepositories),
      });
    } finally {
      await app.close();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
};
