import { Module } from '@nestjs/common';
import { PersistenceModule } from '@lib/persistence';
import { AccessService } from './access.service';

@Module({ imports: [PersistenceModule], providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
