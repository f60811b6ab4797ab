import { join } from 'node:path';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { DataSource } from 'typeorm';
import { openDataSource } from './data-source';
import { EmbeddedPostgres } from './embedded/embedded-postgres';
import { ApiTokenRepository } from './repositories/api-token.repository';
import { ConsumerOffsetRepository } from './repositories/consumer-offset.repository';
import { EndpointHistoryRepository } from './repositories/endpoint-history.repository';
import { EndpointSliceRepository } from './repositories/endpoint-slice.repository';
import { CommandOutcomeRepository } from './repositories/command-outcome.repository';
import { CommandRequestRepository } from './repositories/command-request.repository';
import { EndpointRepository } from './repositories/endpoint.repository';
import { ServiceRepository } from './repositories/service.repository';
import { SliceChangeRepository } from './repositories/slice-change.repository';
import { LeaseRepository } from './repositories/lease.repository';
import { ProjectionRepositories } from './repositories/projection-repositories';
import { ProjectionTopologyRepository } from './repositories/projection-topology.repository';

const repositories = [
  ServiceRepository,
  EndpointRepository,
  CommandOutcomeRepository,
  CommandRequestRepository,
  EndpointSliceRepository,
  SliceChangeRepository,
  ConsumerOffsetRepository,
  ApiTokenRepository,
  EndpointHistoryRepository,
  LeaseRepository,
  ProjectionTopologyRepository,
  ProjectionRepositories,
];

/** The embedded cluster, or null when DATABASE_URL names an external Postgres. */
export const EMBEDDED_POSTGRES = Symbol('EmbeddedPostgres');

@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [REGISTRY_CONFIG],
      useFactory: (config: RegistryConfig): Promise<EmbeddedPostgres> | null =>
        config.databaseUrl
          ? null
          : EmbeddedPostgres.start({ dataDir: join(config.dataDir, 'pg') }),
    },
    {
      provide: DataSource,
      inject: [REGISTRY_CONFIG, EMBEDDED_POSTGRES],
      useFactory: (config: RegistryConfig, embedded: EmbeddedPostgres | null) =>
        openDataSource({ ...(embedded ? embedded.databaseOptions : { url: config.databaseUrl as string }), timeouts: config.postgres }),
    },
    ...repositories,
  ],
  exports: [DataSource, EMBEDDED_POSTGRES, ...repositories],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}
