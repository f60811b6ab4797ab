import { Inject, Injectable } from '@nestjs/common';
import { LeaseRepository, type LeaseSweeperStatus } from '@lib/persistence';
import { DataSource } from 'typeorm';

export interface LeaseProtectionView {
  readonly active: boolean;
  readonly since: string | null;
  /** Expirations due and not carried out: held back while protecting, or waiting out the restart grace. */
  readonly pendingExpirations: number;
}

export const toLeaseProtectionView = (status: LeaseSweeperStatus): LeaseProtectionView => ({
  active: status.protectionActive,
  since: status.protectionSince,
  pendingExpirations: status.pendingExpirations,
});

/** What the active lease sweeper last reported; any instance reads it (the sweeper may run elsewhere). */
@Injectable()
export class LeaseProtectionStatus {

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LeaseRepository) private readonly leases: LeaseRepository,
  ) {}

  read(): Promise<LeaseSweeperStatus> {
    return this.leases.status(this.dataSource.manager);
  }
}
