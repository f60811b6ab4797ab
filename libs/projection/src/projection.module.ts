import { Inject, Module, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, MessagingModule, type EventLog } from '@lib/messaging';
import { PersistenceModule } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { BatchApplier } from './apply-batch';
import { ProjectionMetrics } from './projection-metrics';
import { Projector } from './projector';

@Module({
  imports: [PersistenceModule, MessagingModule],
  providers: [
    ProjectionMetrics,
    {
      provide: Projector,
      inject: [REGISTRY_CONFIG, EVENT_LOG, DataSource, ProjectionMetrics],
      useFactory: (config: RegistryConfig, eventLog: EventLog, dataSource: DataSource, metrics: ProjectionMetrics) =>
        new Projector(
          eventLog,
          dataSource,
          new BatchApplier(
            dataSource,
            { groupId: config.projectorGroupId, maxEndpointsPerSlice: config.maxEndpointsPerSlice },
            (letter) => eventLog.deadLetter(letter),
          ),
          metrics,
          { groupId: config.projectorGroupId, eventsTopic: config.eventsTopic },
        ),
    },
  ],
  exports: [Projector, ProjectionMetrics],
})
export class ProjectionModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(Projector) private readonly projector: Projector) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  /** SIGTERM: the consumer finishes the batch in flight, commits, then leaves the group. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
