import { Inject, Injectable, Logger } from '@nestjs/common';
import { LeaseProtectionStatus, ProjectorLag, toLeaseProtectionView } from '@lib/health';
import { inTransaction, LeaseRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import type { RegistryStatus } from './registry-status.types';

@Injectable()
export class RegistryStatusService {
  private readonly logger = new Logger('LeaseProtection');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ProjectorLag) private readonly lag: ProjectorLag,
    @Inject(LeaseProtectionStatus) private readonly protection: LeaseProtectionStatus,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(LeaseRepository) private readonly leases: LeaseRepository,
  ) {}

  async current(): Promise<RegistryStatus> {
    const [status, projectorLag] = await Promise.all([this.protection.read(), this.measureLag()]);
    return { leaseProtection: toLeaseProtectionView(status), projectorLag };
  }

  /** Ends the current protective episode; the sweeper expires what it held back at its next sweep. */
  async releaseLeaseProtection(principal: Principal): Promise<RegistryStatus> {
    // Admin only: the one check for this operation.
    this.access.requireAdmin(principal);
    const { before, after } = await inTransaction(this.dataSource, async (tx) => ({
      before: await this.leases.lockStatus(tx),
      after: await this.leases.releaseProtection(tx),
    }));
    if (before.protectionActive) {
      // The override is audited: who ended which episode, and what it let through.
      this.logger.warn({
        msg: 'lease protection released by an operator: expiry resumes for this episode',
        actor: principal.name,
        since: before.protectionSince,
        pendingExpirations: before.pendingExpirations,
      });
    }
    return { leaseProtection: toLeaseProtectionView(after), projectorLag: await this.measureLag() };
  }

  private measureLag(): Promise<number> {
    return this.lag.measure().catch(() => -1);
  }
}
