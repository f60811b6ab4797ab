import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import type { LapsedRenewal } from '@lib/domain';
import { LeaseRepository, type LeaseKey, type RenewedLease } from '@lib/persistence';
import { DataSource } from 'typeorm';

export interface RenewalResult {
  /** False: some endpoint has no lease row, and nothing of this request was renewed. */
  readonly complete: boolean;
  /** Leases the renewal found lapsed: the caller appends their restore. */
  readonly lapsed: readonly LapsedRenewal[];
}

interface Pending {
  readonly keys: readonly LeaseKey[];
  readonly resolve: (result: RenewalResult) => void;
  readonly reject: (error: Error) => void;
}

// One statement stays well under a second even at this size; beyond it, flush early.
const MAX_KEYS_PER_STATEMENT = 20_000;

/**
 * Heartbeats are not events: each renews a lease deadline in Postgres. Renewals arriving within
 * LEASE_RENEW_COALESCE_MS of each other on this instance share one multi-row statement, and at
 * most one statement runs at a time; each caller resolves once that statement has committed.
 */
@Injectable()
export class LeaseRenewer implements BeforeApplicationShutdown {
  private queue: Pending[] = [];
  private queuedKeys = 0;
  private oldestQueuedAt = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** For benchmarks and tests: renewals requested, and statements that carried them. */
  readonly stats = { renewals: 0, statements: 0 };

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(LeaseRepository) private readonly leases: LeaseRepository,
  ) {}

  renew(keys: readonly LeaseKey[]): Promise<RenewalResult> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) this.oldestQueuedAt = Date.now();
      this.queue.push({ keys, resolve, reject });
      this.queuedKeys += keys.length;
      this.stats.renewals += keys.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.queue.length === 0) return; // the statement in flight reschedules when it ends
    const full = this.queuedKeys >= MAX_KEYS_PER_STATEMENT;
    const delay = full ? 0 : Math.max(0, this.oldestQueuedAt + this.config.leases.renewCoalesceMs - Date.now());
    if (full) clearTimeout(this.timer);
    else if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.queuedKeys = 0;
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
  }

  private async write(batch: readonly Pending[]): Promise<void> {
    this.stats.statements += 1;
    let rows: RenewedLease[];
    try {
      rows = await this.leases.renew(
        this.dataSource.manager,
        batch.flatMap((pending, request) => pending.keys.map((key) => ({ ...key, request }))),
      );
    } catch (error) {
      for (const pending of batch) pending.reject(error as Error);
      return;
    }
    const byRequest = new Map<number, RenewedLease[]>();
    for (const row of rows) byRequest.set(row.request, [...(byRequest.get(row.request) ?? []), row]);
    // Two heartbeats of one endpoint in one window: only the first restores it.
    const restoring = new Set<string>();
    batch.forEach((pending, request) => {
      const renewed = byRequest.get(request) ?? [];
      const lapsed = renewed.filter((r) => {
        const key = JSON.stringify([r.namespace, r.serviceName, r.id]);
        if (!r.lapsed || restoring.has(key)) return false;
        restoring.add(key);
        return true;
      });
      pending.resolve({ complete: renewed.length === pending.keys.length, lapsed: lapsed.map((r) => ({ id: r.id, leaseId: r.leaseId })) });
    });
  }

  /** Heartbeats already accepted are written before the connection pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.queue.length > 0) this.flush();
    await this.flushing;
  }
}
