import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import {
  exceedsProtectionThreshold,
  LEASE_PROTECTION_WINDOW_SECONDS,
  nextLeaseProtection,
  serviceKey,
  type EndpointExpired,
  type LeaseProtectionPolicy,
  type LeaseProtectionState,
  type RecordedEvent,
} from '@lib/domain';
import type { EventLog } from '@lib/messaging';
import { inTransaction, type ClaimedExpiry, type ConsumerOffsetRepository, type LeaseRepository } from '@lib/persistence';
import type { DataSource } from 'typeorm';
import type { ProjectionMetrics } from './projection-metrics';
import type { SweeperElection } from './sweeper-election';

export interface LeaseSweeperOptions {
  /** LEASE_SWEEP_MS. */
  readonly sweepMs: number;
  readonly policy: LeaseProtectionPolicy;
  /** The projector's group and topic: how far the projection has applied the log. */
  readonly groupId: string;
  readonly eventsTopic: string;
  /**
   * A claim older than this whose expiry is still not projected may never have reached the log
   * (its appender died or failed). Many times an append's bound (KAFKA_REQUEST_TIMEOUT_MS; a
   * queued append is withdrawn then); a send that outlives it anyway can only repeat an expiry
   * with the same event id, which the projection fences by lease incarnation.
   */
  readonly orphanAfterMs?: number;
  readonly claimBatch?: number;
}

export const LEASE_SWEEPER_ACTOR = 'lease-sweeper';

const ORPHAN_AFTER_MS = 30_000;
const CLAIM_BATCH = 500;
const MAX_CLAIM_ROUNDS = 20;
const LEASED_RECOUNT_MS = 10_000;

/** A UUID (v5 layout) derived from `name`: the same expiry of the same lease always has the same event id. */
const stableId = (name: string): string => {
  const hash = createHash('sha1').update(`endpointslice-registry/${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const expiryEventId = (leaseId: string, phase: ClaimedExpiry['phase']): string => stableId(`lease/${leaseId}/${phase}`);

/** One command per service: its expiries are applied together, in one reconcile. */
export const expiryCommands = (claims: readonly ClaimedExpiry[]): { key: string; events: RecordedEvent<EndpointExpired>[] }[] => {
  const byService = new Map<string, ClaimedExpiry[]>();
  for (const claim of claims) {
    const key = serviceKey(claim.namespace, claim.serviceName);
    byService.set(key, [...(byService.get(key) ?? []), claim]);
  }
  return [...byService].map(([key, group]) => {
    const ids = group.map((c) => expiryEventId(c.leaseId, c.phase));
    const commandId = stableId(`lease-expiry/${ids.join(',')}`);
    return {
      key,
      events: group.map((claim, i) => ({
        event: {
          type: 'EndpointExpired',
          data: {
            namespace: claim.namespace,
            serviceName: claim.serviceName,
            id: claim.id,
            phase: claim.phase,
            leaseLapsedAt: claim.leaseLapsedAt,
            leaseId: claim.leaseId,
          },
        },
        metadata: { id: ids[i], time: claim.claimedAt, actor: LEASE_SWEEPER_ACTOR, commandId, commandSize: group.length },
      })),
    };
  });
};

/**
 * Appends the expiry events of lapsed leases, from the one process the election picks.
 *
 * No double expiry: a lease is claimed in Postgres (one conditional UPDATE, row locks, SKIP LOCKED)
 * before its event is appended, and a claimed lease is not claimed again until the claim is
 * settled: by the projector applying the event (same transaction as the projection, which moves
 * the lease to its next phase or deletes it), or, for a claim older than `orphanAfterMs`, by a
 * barrier: once the projection has applied everything that was on the log after the claim was
 * made, a claim still standing never reached the log and may be retried. A sweeper that dies or
 * loses its lock mid-append therefore cannot cause a second append, and the event id is derived
 * from (lease incarnation, phase), so even an append outliving that bound would repeat the same
 * event, which evolve ignores.
 */
export class LeaseSweeper {
  private readonly logger = new Logger('LeaseSweeper');
  /** Written to the status row: which process sweeps (host, pid, and a suffix for several per process). */
  readonly identity = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private leadership?: { readonly since: string };
  private barrier?: { readonly claimedAtOrBefore: string; readonly ends: ReadonlyMap<number, bigint> };
  private leasedCountedAt = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repositories: { readonly leases: LeaseRepository; readonly offsets: ConsumerOffsetRepository },
    private readonly eventLog: EventLog,
    private readonly election: SweeperElection,
    private readonly metrics: ProjectionMetrics,
    private readonly options: LeaseSweeperOptions,
  ) {}

  start(): void {
    this.stopped = false;
    const run = () => {
      this.running = this.sweepOnce()
        .catch((error: unknown) => {
          this.metrics.leaseSweepFailures.inc();
          this.logger.warn({ msg: 'lease sweep failed, will retry', error: (error as Error).message });
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(run, this.options.sweepMs);
        });
    };
    run();
  }

  /** Finishes the sweep in flight, then resigns so a standby takes over at its next attempt. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.election.resign();
    this.leadership = undefined;
  }

  async sweepOnce(): Promise<void> {
    const leader = await this.election.acquire().catch(() => false);
    if (!leader) {
      if (this.leadership) this.logger.warn({ msg: 'lease sweeper lost its lock; another process sweeps', identity: this.identity });
      this.leadership = undefined;
      this.barrier = undefined;
      return;
    }
    if (!this.leadership) {
      // Restart grace counts from here: a registry that was down does not expire what it missed.
      this.leadership = { since: await this.repositories.leases.now(this.dataSource.manager) };
      this.logger.log({ msg: 'lease sweeper active; every lease gets one TTL of grace', identity: this.identity, since: this.leadership.since });
    }
    await this.settleOrphanedClaims();
    const { protection, decidedAt } = await this.updateStatus(this.leadership.since);
    if (protection.active) return;
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const claimed = await this.repositories.leases.claimDue(this.dataSource.manager, {
        limit: this.options.claimBatch ?? CLAIM_BATCH,
        graceStart: this.leadership.since,
        // Only what the protection decision counted: a lease coming due between the two
        // statements would otherwise expire before a mass lapse is seen as one.
        dueBy: decidedAt,
      });
      if (claimed.length === 0) return;
      await this.append(claimed);
      if (claimed.length < (this.options.claimBatch ?? CLAIM_BATCH)) return;
    }
  }

  /** A failed append leaves its claims standing: they settle as orphans, never by a blind retry. */
  private async append(claimed: readonly ClaimedExpiry[]): Promise<void> {
    const commands = expiryCommands(claimed);
    const results = await Promise.allSettled(commands.map((c) => this.eventLog.append(c.key, c.events)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    commands.forEach((command, i) => {
      if (results[i].status === 'rejected') return;
      for (const { event } of command.events) {
        (event.data.phase === 'NotReady' ? this.metrics.leaseExpiredNotReady : this.metrics.leaseExpiredRemoved).inc();
      }
    });
    if (failed.length > 0) {
      this.logger.warn({
        msg: 'lease expiry not appended; its claims are settled once proven never logged',
        failedCommands: failed.length,
        error: (failed[0].reason as Error).message,
      });
      return;
    }
    this.logger.log({
      msg: 'leases expired',
      notReady: claimed.filter((c) => c.phase === 'NotReady').length,
      removed: claimed.filter((c) => c.phase === 'Removed').length,
    });
  }

  private async settleOrphanedClaims(): Promise<void> {
    const manager = this.dataSource.manager;
    const orphanAfterMs = this.options.orphanAfterMs ?? ORPHAN_AFTER_MS;
    if (!this.barrier) {
      if ((await this.repositories.leases.countStaleClaims(manager, orphanAfterMs / 1000)) === 0) return;
      // Sampled in this order: any append for a claim made before `claimedAtOrBefore` has finished
      // (it is older than orphanAfterMs) and is therefore below `ends`.
      const claimedAtOrBefore = new Date(Date.parse(await this.repositories.leases.now(manager)) - orphanAfterMs).toISOString();
      this.barrier = { claimedAtOrBefore, ends: await this.eventLog.endOffsets() };
    }
    const positions = await this.repositories.offsets.positions(manager, this.options.groupId, this.options.eventsTopic);
    const applied = new Map(positions.map((p) => [p.partition, p.nextOffset]));
    if (![...this.barrier.ends].every(([partition, end]) => (applied.get(partition) ?? 0n) >= end)) return;
    const released = await this.repositories.leases.releaseClaims(manager, this.barrier.claimedAtOrBefore);
    this.barrier = undefined;
    if (released > 0) this.logger.warn({ msg: 'released lease expiry claims that never reached the log; they expire again', released });
  }

  /** Protective mode, decided from counts and shared through the status row every instance reads. */
  private async updateStatus(leaderSince: string): Promise<{ protection: LeaseProtectionState; decidedAt: string }> {
    const { policy } = this.options;
    return inTransaction(this.dataSource, async (tx) => {
      const current = await this.repositories.leases.lockStatus(tx);
      const counts = await this.repositories.leases.lapseCounts(tx, LEASE_PROTECTION_WINDOW_SECONDS);
      // Counting every lease is the one full scan: only when the threshold could be reached, or to keep the gauge fresh.
      const recount = counts.wouldExpire >= policy.min || Date.now() - this.leasedCountedAt > LEASED_RECOUNT_MS;
      const leased = recount ? await this.repositories.leases.countLeased(tx) : current.leased;
      if (recount) this.leasedCountedAt = Date.now();
      const exceeded = exceedsProtectionThreshold({ wouldExpire: counts.wouldExpire, leased }, policy);
      const next = nextLeaseProtection({ active: current.protectionActive, released: current.protectionReleased }, exceeded);
      await this.repositories.leases.writeStatus(tx, {
        leader: this.identity,
        leaderSince,
        protectionActive: next.active,
        protectionSince: next.active ? (current.protectionActive ? current.protectionSince : counts.now) : null,
        protectionReleased: next.released,
        pendingExpirations: counts.pending,
        wouldExpire: counts.wouldExpire,
        leased,
      });
      const facts = { wouldExpire: counts.wouldExpire, leased, fraction: policy.fraction, min: policy.min, windowSeconds: LEASE_PROTECTION_WINDOW_SECONDS };
      if (next.active && !current.protectionActive) {
        this.logger.warn({ msg: 'lease protection engaged: expiry paused, the lapse looks like ours (partition or stall)', ...facts, held: counts.pending });
      } else if (current.protectionActive && !next.active) {
        this.logger.log({ msg: 'lease protection ended: renewals brought lapses under the threshold', ...facts });
      } else if (current.protectionReleased && !next.released) {
        this.logger.log({ msg: 'released protective episode is over; protection engages again on the next mass lapse', ...facts });
      }
      return { protection: next, decidedAt: counts.now };
    });
  }
}
