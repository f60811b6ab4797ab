import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { ConfigModule, type RegistryConfig } from '@lib/config';
import { HealthModule } from '@lib/health';
import { MessagingModule } from '@lib/messaging';
import { PersistenceModule, SliceChangeRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { ProjectionModule } from '@lib/projection';
import { AccessModule } from './access/access.module';
import { AccessService } from './access/access.service';
import { ApiTokenResolver } from './access/api-token.resolver';
import { CommandService } from './commands/command.service';
import { ProjectionSignal } from './commands/projection-signal';
import { ProjectionWaiter } from './commands/projection-waiter';
import { EndpointSliceResolver } from './endpoint-slices/endpoint-slice.resolver';
import { EndpointHistoryResolver } from './endpoints/endpoint-history.resolver';
import { EndpointResolver } from './endpoints/endpoint.resolver';
import { GraphQLPassThroughFilter } from './graphql/graphql-exception.filter';
import { LeaseRenewer } from './leases/lease-renewer';
import { LeaseService } from './leases/lease.service';
import { RegistryStatusResolver } from './leases/registry-status.resolver';
import { RegistryStatusService } from './leases/registry-status.service';
import { graphqlOptions } from './graphql/graphql.options';
import { SliceQueryCache } from './graphql/slice-query-cache';
import { ServiceResolver } from './services/service.resolver';
import { ChangeFeed } from './watch/change-feed';
import { WatchResolver } from './watch/watch.resolver';
import { WatchService } from './watch/watch.service';
import { KubernetesApiController } from './kubernetes-api/kubernetes-api.controller';
import { KubernetesApiService } from './kubernetes-api/kubernetes-api.service';
import { ReadAccess } from './kubernetes-api/read-access';
import { WatchResponder } from './kubernetes-api/watch-response';
import { PrometheusSdController } from './service-discovery/prometheus-sd.controller';
import { PrometheusSdService } from './service-discovery/prometheus-sd.service';

export interface RegistryRoles {
  /** Run the projector in this process too (embedded mode and `npm start`). */
  readonly projector: boolean;
}

@Module({})
export class RegistryModule {
  static forRoot(config: RegistryConfig, roles: RegistryRoles): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        MessagingModule,
        HealthModule.register({ projector: roles.projector }),
        AccessModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AccessModule, PersistenceModule],
          inject: [AccessService, DataSource, SliceChangeRepository],
          useFactory: (access: AccessService, dataSource: DataSource, changes: SliceChangeRepository) =>
            graphqlOptions(access, config.access, new SliceQueryCache(() => changes.latest(dataSource.manager))),
        }),
        ...(roles.projector ? [ProjectionModule] : []),
      ],
      controllers: [KubernetesApiController, PrometheusSdController],
      providers: [
        { provide: APP_FILTER, useClass: GraphQLPassThroughFilter },
        CommandService, ProjectionSignal, ProjectionWaiter, ServiceResolver, EndpointResolver, EndpointSliceResolver,
        ChangeFeed,
        WatchService,
        WatchResolver,
        ApiTokenResolver,
        EndpointHistoryResolver,
        LeaseRenewer,
        LeaseService,
        RegistryStatusService,
        RegistryStatusResolver,
        ReadAccess,
        KubernetesApiService,
        WatchResponder,
        PrometheusSdService,
      ],
    };
  }
}
