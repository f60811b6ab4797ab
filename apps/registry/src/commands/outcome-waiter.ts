import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { CommandOutcomeRepository, type CommandVerdict } from '@lib/persistence';
import { CoalescingLoop } from '@lib/projection';
import { DataSource } from 'typeorm';
import { ProjectionSignal } from './projection-signal';

interface Waiter {
  readonly commandId: string;
  readonly resolve: (verdict: CommandVerdict) => void;
  readonly deadline: number;
}

/** Fallback when a commit notification is missed; normally a commit wakes the check at once. */
const FALLBACK_POLL_MS = 50;
const PENDING: CommandVerdict = Object.freeze({ status: 'PENDING' });

/**
 * Read-your-writes across processes: resolves with a command's verdict once the projector has
 * stored it (in the transaction that applied or rejected the command). A commit's notice usually
 * carries its verdicts; otherwise one query serves every waiting mutation per commit.
 */
@Injectable()
export class OutcomeWaiter implements OnModuleInit, OnApplicationShutdown {
  private readonly waiters = new Set<Waiter>();
  /** Commit signals heard so far: a caller notes it before appending (see waitFor). */
  private commits = 0;
  private readonly loop = new CoalescingLoop(() => this.check(), FALLBACK_POLL_MS, () => undefined);
  private unsubscribeSignal?: () => void;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CommandOutcomeRepository) private readonly outcomes: CommandOutcomeRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ProjectionSignal) private readonly signal: ProjectionSignal,
  ) {}

  onModuleInit(): void {
    this.unsubscribeSignal = this.signal.onCommit((notice) => {
      this.commits++;
      // A notice with verdicts holds every verdict of its commit: the waiters it names are settled,
      // and no other waiter's verdict came with this commit, so nothing needs reading.
      if (notice?.verdicts) this.settleFrom(notice.verdicts);
      else this.loop.kick();
    });
    this.loop.start();
  }

  get commitsHeard(): number {
    return this.commits;
  }

  /**
   * PENDING when no verdict arrived within PROJECTION_WAIT_MS: the events are on the log anyway.
   * `commitsBefore`: `commitsHeard` before the command was appended. The verdict is read at once
   * only when a commit was heard since (it may carry the verdict, signalled before this waiter
   * existed); otherwise the commit that carries it is still to be heard, and wakes the check.
   */
  waitFor(commandId: string, commitsBefore?: number): Promise<CommandVerdict> {
    const deadline = Date.now() + this.config.projectionWaitMs;
    const verdict = new Promise<CommandVerdict>((resolve) => this.waiters.add({ commandId, resolve, deadline }));
    if (commitsBefore !== this.commits) this.loop.kick();
    return verdict;
  }

  private async check(): Promise<void> {
    if (this.waiters.size === 0) return;
    try {
      const verdicts = await this.outcomes.verdicts(this.dataSource.manager, [...new Set([...this.waiters].map((w) => w.commandId))]);
      for (const waiter of this.waiters) {
        const verdict = verdicts.get(waiter.commandId);
        if (verdict && verdict.status !== 'PENDING') this.settle(waiter, verdict);
      }
    } finally {
      // Postgres unreachable: waiters time out PENDING; the events are on the log.
      const now = Date.now();
      for (const waiter of this.waiters) if (waiter.deadline <= now) this.settle(waiter, PENDING);
    }
  }

  private settleFrom(verdicts: ReadonlyMap<string, CommandVerdict>): void {
    for (const waiter of this.waiters) {
      const verdict = verdicts.get(waiter.commandId);
      if (verdict) this.settle(waiter, verdict);
    }
  }

  private settle(waiter: Waiter, verdict: CommandVerdict): void {
    this.waiters.delete(waiter);
    waiter.resolve(verdict);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribeSignal?.();
    await this.loop.stop();
    for (const waiter of this.waiters) this.settle(waiter, PENDING);
  }
}
