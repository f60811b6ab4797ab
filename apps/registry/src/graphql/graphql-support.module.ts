import { Module } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { PersistenceModule, SliceChangeRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { PreparedDocuments } from './prepared-documents';
import { queryLimitRules } from './query-limits';
import { SliceQueryCache } from './slice-query-cache';

/** What every GraphQL transport shares: the prepared documents and the slice answer cache. */
@Module({
  imports: [PersistenceModule],
  providers: [
    {
      provide: PreparedDocuments,
      inject: [REGISTRY_CONFIG],
      useFactory: (config: RegistryConfig) => new PreparedDocuments(queryLimitRules(config.access), config.access.maxQueryCost),
    },
    {
      provide: SliceQueryCache,
      inject: [DataSource, SliceChangeRepository],
      useFactory: (dataSource: DataSource, changes: SliceChangeRepository) => new SliceQueryCache(() => changes.latest(dataSource.manager)),
    },
  ],
  exports: [PreparedDocuments, SliceQueryCache],
})
export class GraphQLSupportModule {}
