import { Module } from '@nestjs/common';
import { MessagingModule } from '@lib/messaging';
import { PersistenceModule } from '@lib/persistence';
import { HealthController } from './health.controller';

@Module({ imports: [PersistenceModule, MessagingModule], controllers: [HealthController] })
export class HealthModule {}
