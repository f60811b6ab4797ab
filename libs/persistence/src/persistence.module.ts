import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { DataSource } from 'typeorm';
import { openDataSource } from './data-source';
import { ConsumerOffsetRepository } from './repositories/consumer-offset.repository';
import { EndpointSliceRepository } from './repositories/endpoint-slice.repository';
import { RegistryStateRepository } from './repositories/registry-state.repository';
import { SliceChangeRepository } from './repositories/slice-change.repository';

const repositories = [RegistryStateRepository, EndpointSliceRepository, SliceChangeRepository, ConsumerOffsetRepository];

@Module({
  providers: [
    {
      provide: DataSource,
      inject: [REGISTRY_CONFIG],
      useFactory: (config: RegistryConfig) => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL is required outside embedded mode');
        return openDataSource({ url: config.databaseUrl });
      },
    },
    ...repositories,
  ],
  exports: [DataSource, ...repositories],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
