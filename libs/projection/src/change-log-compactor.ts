import { Logger } from '@nestjs/common';
import { SliceChangeRepository } from '@lib/persistence';
import type { DataSource } from 'typeorm';

const INTERVAL_MS = 60_000;

/** Trims the slice change log to WATCH_HISTORY; never drops a row the relay has not published. */
export class ChangeLogCompactor {
  private readonly logger = new Logger('ChangeLogCompactor');
  private readonly changes = new SliceChangeRepository();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
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

  compactOnce(): Promise<number> {
    return this.changes.compact(this.dataSource.manager, this.historySeconds, this.relayActive);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
