import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ConfigModule, type RegistryConfig } from '@lib/config';
import { HealthModule } from '@lib/health';
import { MessagingModule } from '@lib/messaging';
import { PersistenceModule } from '@lib/persistence';
import { ProjectionModule } from '@lib/projection';
import { CommandService } from './commands/command.service';
import { ProjectionWaiter } from './commands/projection-waiter';
import { EndpointSliceResolver } from './endpoint-slices/endpoint-slice.resolver';
import { EndpointResolver } from './endpoints/endpoint.resolver';
import { GraphQLPassThroughFilter } from './graphql/graphql-exception.filter';
import { graphqlOptions } from './graphql/graphql.options';
import { ServiceResolver } from './services/service.resolver';
import { ChangeFeed } from './watch/change-feed';
import { WatchResolver } from './watch/watch.resolver';
import { WatchService } from './watch/watch.service';

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
        GraphQLModule.forRoot(graphqlOptions()),
        ...(roles.projector ? [ProjectionModule] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: GraphQLPassThroughFilter },
        CommandService, ProjectionWaiter, ServiceResolver, EndpointResolver, EndpointSliceResolver,
        ChangeFeed,
        WatchService,
        WatchResolver,
      ],
    };
  }
}
