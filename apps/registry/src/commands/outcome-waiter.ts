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
  /**
   * When the next check reads its verdict: at once after a commit that may hold it came without
   * verdicts, else FALLBACK_POLL_MS after it was last looked for (a missed notice).
   */
  readAt: number;
}

/** Fallback when a commit notification is missed; normally a commit wakes the check at once. */
const FALLBACK_POLL_MS = 50;
/**
 * How many commits' verdicts are kept for waiters that arrive after their commit was heard (a
 * mutation notes the commit count before it appends, and its append takes a few commits at most).
 */
const REMEMBERED_COMMITS = 64;
const PENDING: CommandVerdict = Object.freeze({ status: 'PENDING' });
/** Every commit heard since the append named its verdicts, and none was this command's. */
const NOT_YET = Symbol('not yet judged');

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
  /** The verdicts of the last REMEMBERED_COMMITS commits by commit number; undefined: the notice had none. */
  private readonly heard = new Map<number, ReadonlyMap<string, CommandVerdict> | undefined>();
  /** Polls for missed notices only while a mutation waits: an idle API wakes for nothing. */
  private readonly loop = new CoalescingLoop(() => this.check(), FALLBACK_POLL_MS, () => undefined, () => this.waiters.size > 0);
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
      this.heard.set(this.commits, notice?.verdicts);
      this.heard.delete(this.commits - REMEMBERED_COMMITS);
      // A notice with verdicts holds every verdict of its commit: the waiters it names are settled,
      // and no other waiter's verdict came with this commit, so nothing needs reading.
      if (notice?.verdicts) return this.settleFrom(notice.verdicts);
      for (const waiter of this.waiters) waiter.readAt = 0;
      this.loop.kick();
    });
    this.loop.start();
  }

  get commitsHeard(): number {
    return this.commits;
  }

  /**
   * PENDING when no verdict arrived within PROJECTION_WAIT_MS: the events are on the log anyway.
   * `commitsBefore`: `commitsHeard` before the command was appended. A commit heard since may
   * hold the verdict, signalled before this waiter existed: its notice's verdicts tell, and the
   * verdict is read at once only when such a commit came without them (or too many commits ago,
   * or `commitsBefore` is unknown). Otherwise the commit that holds it is still to be heard.
   */
  waitFor(commandId: string, commitsBefore?: number): Promise<CommandVerdict> {
    const heard = this.heardSince(commandId, commitsBefore);
    if (heard !== undefined && heard !== NOT_YET) return Promise.resolve(heard);
    const now = Date.now();
    const deadline = now + this.config.projectionWaitMs;
    const readAt = heard === undefined ? 0 : now + FALLBACK_POLL_MS;
    const verdict = new Promise<CommandVerdict>((resolve) => this.waiters.add({ commandId, resolve, deadline, readAt }));
    if (heard === undefined) this.loop.kick();
    else this.loop.arm();
    return verdict;
  }

  private heardSince(commandId: string, commitsBefore: number | undefined): CommandVerdict | typeof NOT_YET | undefined {
    if (commitsBefore === undefined || this.commits - commitsBefore >= REMEMBERED_COMMITS) return undefined;
    let complete = true;
    for (let commit = commitsBefore + 1; commit <= this.commits; commit++) {
      const verdicts = this.heard.get(commit);
      if (verdicts === undefined) complete = false;
      else if (verdicts.has(commandId)) return verdicts.get(commandId);
    }
    return complete ? NOT_YET : undefined;
  }

  /**
   * Reads the verdicts of the waiters a verdict-less commit may concern, and, as the fallback for
   * a missed notice, of those nothing was heard for in FALLBACK_POLL_MS; the others' verdicts come
   * with the notices still to be heard.
   */
  private async check(): Promise<void> {
    const now = Date.now();
    const toRead = [...this.waiters].filter((w) => w.readAt <= now);
    for (const waiter of toRead) waiter.readAt = now + FALLBACK_POLL_MS;
    try {
      if (toRead.length === 0) return;
      const verdicts = await this.outcomes.verdicts(this.dataSource.manager, [...new Set(toRead.map((w) => w.commandId))]);
      for (const waiter of toRead) {
        const verdict = verdicts.get(waiter.commandId);
        if (verdict && verdict.status !== 'PENDING' && this.waiters.has(waiter)) this.settle(waiter, verdict);
      }
    } finally {
      // Postgres unreachable: waiters time out PENDING; the events are on the log.
      const end = Date.now();
      for (const waiter of this.waiters) if (waiter.deadline <= end) this.settle(waiter, PENDING);
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
