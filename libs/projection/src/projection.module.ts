import { Inject, Module, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, MessagingModule, type EventLog } from '@lib/messaging';
import {
  CommandOutcomeRepository,
  CommandRequestRepository,
  PersistenceModule,
  ProjectionRepositories,
  SliceChangeRepository,
} from '@lib/persistence';
import { DataSource } from 'typeorm';
import { BatchApplier } from './apply-batch';
import { ChangeLogCompactor } from './change-log-compactor';
import { LeaseSweeper } from './lease-sweeper';
import { ProjectionMetrics } from './projection-metrics';
import { Projector } from './projector';
import { SLICE_RELAY_LOCK, SliceChangeRelay } from './slice-change-relay';
import { AdvisoryLockElection, InProcessElection } from './sweeper-election';

@Module({
  imports: [PersistenceModule, MessagingModule],
  providers: [
    ProjectionMetrics,
    {
      provide: Projector,
      inject: [REGISTRY_CONFIG, EVENT_LOG, DataSource, ProjectionMetrics, ProjectionRepositories],
      useFactory: (config: RegistryConfig, eventLog: EventLog, dataSource: DataSource, metrics: ProjectionMetrics, repositories: ProjectionRepositories) =>
        new Projector(
          eventLog,
          dataSource,
          new BatchApplier(
            dataSource,
            repositories,
            { groupId: config.projectorGroupId, maxEndpointsPerSlice: config.maxEndpointsPerSlice, cacheEndpoints: config.projectorCacheEndpoints },
            (letter) => eventLog.deadLetter(letter),
          ),
          metrics,
          repositories,
          { groupId: config.projectorGroupId, eventsTopic: config.eventsTopic },
        ),
    },
    {
      // The slice change topic exists where the transport publishes (Kafka); the embedded log has no relay.
      provide: SliceChangeRelay,
      inject: [REGISTRY_CONFIG, EVENT_LOG, DataSource, ProjectionMetrics, SliceChangeRepository],
      useFactory: (config: RegistryConfig, eventLog: EventLog, dataSource: DataSource, metrics: ProjectionMetrics, changes: SliceChangeRepository) => {
        const { publish } = eventLog;
        return publish
          ? new SliceChangeRelay(new AdvisoryLockElection(dataSource, SLICE_RELAY_LOCK), changes, (records) => publish(config.slicesTopic, records), {
              maxRecordBytes: config.kafkaMaxRecordBytes,
              slicesTopic: config.slicesTopic,
              deadLetter: (records) => publish(config.dlqTopic, records),
              onDeadLettered: (count) => metrics.relayDeadLetteredRecords.inc(count),
            })
          : null;
      },
    },
    {
      provide: ChangeLogCompactor,
      inject: [REGISTRY_CONFIG, DataSource, EVENT_LOG, SliceChangeRepository, CommandOutcomeRepository, CommandRequestRepository],
      useFactory: (
        config: RegistryConfig,
        dataSource: DataSource,
        eventLog: EventLog,
        changes: SliceChangeRepository,
        outcomes: CommandOutcomeRepository,
        requests: CommandRequestRepository,
      ) => new ChangeLogCompactor(dataSource, { changes, outcomes, requests }, config.watchHistorySeconds, eventLog.publish !== undefined),
    },
    {
      // Runs wherever the projector runs; one process sweeps at a time.
      provide: LeaseSweeper,
      inject: [REGISTRY_CONFIG, EVENT_LOG, DataSource, ProjectionMetrics, ProjectionRepositories],
      useFactory: (config: RegistryConfig, eventLog: EventLog, dataSource: DataSource, metrics: ProjectionMetrics, repositories: ProjectionRepositories) =>
        new LeaseSweeper(
          dataSource,
          repositories,
          eventLog,
          // No DATABASE_URL: embedded PGlite, one process, advisory locks shared by every socket.
          config.databaseUrl ? new AdvisoryLockElection(dataSource) : new InProcessElection(),
          metrics,
          {
            sweepMs: config.leases.sweepMs,
            policy: { fraction: config.leases.protectFraction, min: config.leases.protectMin },
            groupId: config.projectorGroupId,
            eventsTopic: config.eventsTopic,
          },
        ),
    },
  ],
  exports: [Projector, ProjectionMetrics, ChangeLogCompactor, LeaseSweeper],
})
export class ProjectionModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(Projector) private readonly projector: Projector,
    @Inject(ChangeLogCompactor) private readonly compactor: ChangeLogCompactor,
    @Inject(LeaseSweeper) private readonly sweeper: LeaseSweeper,
    @Optional() @Inject(SliceChangeRelay) private readonly relay: SliceChangeRelay | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const relay = this.relay;
    if (relay) {
      this.projector.onCommitted((changes) => changes.length > 0 && relay.kick(changes));
      relay.start();
    }
    this.compactor.start();
    await this.projector.start();
    this.sweeper.start();
  }

  /** SIGTERM: the consumer finishes the batch in flight, commits, then leaves the group. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.projector.stop();
    this.compactor.stop();
    await this.relay?.stop();
  }
}
