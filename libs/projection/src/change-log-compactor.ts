import { Logger } from '@nestjs/common';
import type { CommandOutcomeRepository, CommandRequestRepository, SliceChangeRepository } from '@lib/persistence';
import type { DataSource } from 'typeorm';

const INTERVAL_MS = 60_000;

export interface CompactedRepositories {
  readonly changes: SliceChangeRepository;
  readonly outcomes: CommandOutcomeRepository;
  readonly requests: CommandRequestRepository;
}

/**
 * Trims the slice change log, command verdicts and claimed request ids to WATCH_HISTORY; never
 * drops a change the relay has not published.
 */
export class ChangeLogCompactor {
  private readonly logger = new Logger('ChangeLogCompactor');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repositories: CompactedRepositories,
    private readonly historySeconds: number,
    private readonly relayActive: boolean,
    private readonly intervalMs = INTERVAL_MS,
  ) {}

  start(): void {
    const run = async () => {
      try {
        const deleted = await this.compactOnce();
        if (deleted > 0) this.logger.log({ msg: 'change log compacted', deleted });
      } catch (error) {
        this.logger.warn({ msg: 'compaction failed, will retry', error: (error as Error).message });
      }
      this.timer = setTimeout(() => void run(), this.intervalMs);
    };
    this.timer = setTimeout(() => void run(), 0);
  }

  async compactOnce(): Promise<number> {
    const q = this.dataSource.manager;
    await this.repositories.outcomes.compact(q, this.historySeconds);
    await this.repositories.requests.compact(q, this.historySeconds);
    return this.repositories.changes.compact(q, this.historySeconds, this.relayActive);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
