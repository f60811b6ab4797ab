import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import type { AppendResult } from '@lib/messaging';
import { ConsumerOffsetRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';

interface Waiter {
  readonly target: AppendResult;
  readonly resolve: (resourceVersion: string | null) => void;
  readonly deadline: number;
}

const POLL_MS = 15;

/**
 * Read-your-writes across processes: resolves once the projector has committed the appended
 * offset (its position lives in Postgres with the projection), with the resourceVersion of that
 * commit. One query serves every waiting mutation.
 */
@Injectable()
export class ProjectionWaiter implements OnApplicationShutdown {
  private readonly waiters = new Set<Waiter>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConsumerOffsetRepository) private readonly offsets: ConsumerOffsetRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** null when the projection did not catch up within PROJECTION_WAIT_MS: the events are durable anyway. */
  waitFor(targets: readonly AppendResult[]): Promise<(string | null)[]> {
    const deadline = Date.now() + this.config.projectionWaitMs;
    return Promise.all(
      targets.map(
        (target) =>
          new Promise<string | null>((resolve) => {
            this.waiters.add({ target, resolve, deadline });
            this.schedule();
          }),
      ),
    );
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      const positions = await this.offsets.positions(this.dataSource.manager, this.config.projectorGroupId, this.config.eventsTopic);
      const byPartition = new Map(positions.map((p) => [p.partition, p]));
      for (const waiter of this.waiters) {
        const position = byPartition.get(waiter.target.partition);
        if (position && position.nextOffset > waiter.target.offset) this.settle(waiter, position.resourceVersion);
      }
    } catch {
      // Postgres unreachable: waiters time out with resourceVersion null; the events are on the log.
    }
    const now = Date.now();
    for (const waiter of this.waiters) if (waiter.deadline <= now) this.settle(waiter, null);
    this.timer = undefined;
    if (this.waiters.size > 0) this.schedule();
  }

  private settle(waiter: Waiter, resourceVersion: string | null): void {
    this.waiters.delete(waiter);
    waiter.resolve(resourceVersion);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    for (const waiter of this.waiters) this.settle(waiter, null);
  }
}
