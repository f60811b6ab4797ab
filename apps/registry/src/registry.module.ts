import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { ConfigModule, type RegistryConfig } from '@lib/config';
import { HealthModule } from '@lib/health';
import { MessagingModule } from '@lib/messaging';
import { PersistenceModule } from '@lib/persistence';
import { ProjectionModule } from '@lib/projection';
import { AccessModule } from './access/access.module';
import { ApiTokenResolver } from './access/api-token.resolver';
import { CommandService } from './commands/command.service';
import { ProjectionSignal } from './commands/projection-signal';
import { CommandOutcomeResolver } from './commands/command-outcome.resolver';
import { DecisionStates } from './commands/decision-states';
import { OutcomeWaiter } from './commands/outcome-waiter';
import { EndpointSliceResolver } from './endpoint-slices/endpoint-slice.resolver';
import { EndpointHistoryResolver } from './endpoints/endpoint-history.resolver';
import { EndpointResolver } from './endpoints/endpoint.resolver';
import { GraphQLPassThroughFilter } from './graphql/graphql-exception.filter';
import { GraphQLWsServer } from './graphql/graphql-ws.server';
import { LeaseRenewer } from './leases/lease-renewer';
import { LeaseService } from './leases/lease.service';
import { RegistryStatusResolver } from './leases/registry-status.resolver';
import { EndpointLeaseResolver } from './leases/endpoint-lease.resolver';
import { RegistryStatusService } from './leases/registry-status.service';
import { graphqlOptions } from './graphql/graphql.options';
import { withApiMetrics } from './metrics/graphql-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { GraphQLSupportModule } from './graphql/graphql-support.module';
import { SliceQueryCache } from './graphql/slice-query-cache';
import { ServiceConnectionResolver } from './services/service-connection.resolver';
import { ServiceResolver } from './services/service.resolver';
import { ServiceSlicesLoader } from './services/service-slices.loader';
import { SliceView } from './slice-view/slice-view';
import { DnsServer } from './dns/dns.server';
import { ChangeFeed } from './watch/change-feed';
import { WatchResolver } from './watch/watch.resolver';
import { WatchService } from './watch/watch.service';
import { KubernetesApiController } from './kubernetes-api/kubernetes-api.controller';
import { KubernetesApiService } from './kubernetes-api/kubernetes-api.service';
import { ReadAccess } from './kubernetes-api/read-access';
import { WatchResponder } from './kubernetes-api/watch-response';
import { PrometheusSdController } from './service-discovery/prometheus-sd.controller';
import { PrometheusSdService } from './service-discovery/prometheus-sd.service';
import { XdsServer } from './xds/xds.server';
import { ConsoleAssets } from './console/console-assets';
import { ConsoleController } from './console/console.controller';

export interface RegistryRoles {
  /** Run the projector in this process too (embedded mode and `npm start`). */
  readonly projector: boolean;
}

@Module({})
export class RegistryModule {
  /**
   * `frontDoor`: another GraphQL-over-HTTP server than Apollo on Express, for the front-door
   * benchmark; its platform serves neither the Kubernetes API nor Prometheus SD (written for Express).
   */
  static forRoot(config: RegistryConfig, roles: RegistryRoles, frontDoor?: { graphql: DynamicModule }): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        MessagingModule,
        HealthModule.register({ projector: roles.projector }),
        AccessModule,
        MetricsModule,
        GraphQLSupportModule,
        frontDoor?.graphql ??
          GraphQLModule.forRootAsync<ApolloDriverConfig>({
            driver: ApolloDriver,
            imports: [GraphQLSupportModule],
            inject: [SliceQueryCache],
            useFactory: (sliceCache: SliceQueryCache) => withApiMetrics(graphqlOptions(config.access, sliceCache)),
          }),
        ...(roles.projector ? [ProjectionModule] : []),
      ],
      controllers: frontDoor ? [] : [KubernetesApiController, PrometheusSdController, ConsoleController],
      providers: [
        { provide: APP_FILTER, useClass: GraphQLPassThroughFilter },
        GraphQLWsServer,
        CommandService, CommandOutcomeResolver, DecisionStates, ProjectionSignal, OutcomeWaiter, ServiceResolver, EndpointResolver, EndpointSliceResolver,
        ChangeFeed,
        SliceView,
        DnsServer,
        WatchService,
        WatchResolver,
        ApiTokenResolver,
        ServiceConnectionResolver,
        ServiceSlicesLoader,
        EndpointHistoryResolver,
        LeaseRenewer,
        LeaseService,
        RegistryStatusService,
        RegistryStatusResolver,
        EndpointLeaseResolver,
        ReadAccess,
        KubernetesApiService,
        WatchResponder,
        PrometheusSdService,
        XdsServer,
        { provide: ConsoleAssets, useFactory: () => new ConsoleAssets() },
      ],
    };
  }
}
