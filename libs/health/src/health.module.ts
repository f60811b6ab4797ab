import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@lib/messaging';
import { PersistenceModule } from '@lib/persistence';
import { ProjectionModule } from '@lib/projection';
import { HealthController } from './health.controller';
import { LeaseProtectionStatus } from './lease-protection-status';
import { MetricsSourcesModule } from './metrics-sources';
import { ProjectorLag } from './projector-lag';

@Module({})
export class HealthModule {
  /** With the projector in this process, /metrics includes its counters. */
  static register(options: { projector: boolean }): DynamicModule {
    return {
      module: HealthModule,
      imports: [PersistenceModule, MessagingModule, MetricsSourcesModule, ...(options.projector ? [ProjectionModule] : [])],
      controllers: [HealthController],
      providers: [ProjectorLag, LeaseProtectionStatus],
      exports: [ProjectorLag, LeaseProtectionStatus],
    };
  }
}
