import { Module } from '@nestjs/common';
import { PersistenceModule } from '@lib/persistence';
import { AccessService } from './access.service';
import { RevocationWatcher } from './revocation-watcher';
import { TokenVerifier } from './token-verifier';

@Module({
  imports: [PersistenceModule],
  providers: [AccessService, TokenVerifier, RevocationWatcher],
  exports: [AccessService, RevocationWatcher],
})
export class AccessModule {}
