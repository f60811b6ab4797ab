import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import type { AppendResult } from '@lib/messaging';
import { ConsumerOffsetRepository } from '@lib/persistence';
import { CoalescingLoop } from '@lib/projection';
import { DataSource } from 'typeorm';
import { ProjectionSignal } from './projection-signal';

interface Waiter {
  readonly target: AppendResult;
  readonly resolve: (resourceVersion: string | null) => void;
  readonly deadline: number;
}

/** Fallback when a commit notification is missed; normally a commit wakes the check at once. */
const FALLBACK_POLL_MS = 50;

/**
 * Read-your-writes across processes: resolves once the projector has committed the appended
 * offset (its position lives in Postgres with the projection), with the resourceVersion of that
 * commit. One query serves every waiting mutation.
 */
@Injectable()
export class ProjectionWaiter implements OnModuleInit, OnApplicationShutdown {
  private readonly waiters = new Set<Waiter>();
  private readonly loop = new CoalescingLoop(() => this.check(), FALLBACK_POLL_MS, () => undefined);
  private unsubscribeSignal?: () => void;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConsumerOffsetRepository) private readonly offsets: ConsumerOffsetRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ProjectionSignal) private readonly signal: ProjectionSignal,
  ) {}

  onModuleInit(): void {
    this.unsubscribeSignal = this.signal.onCommit(() => this.loop.kick());
    this.loop.start();
  }

  /** null when the projection did not catch up within PROJECTION_WAIT_MS: the events are durable anyway. */
  waitFor(targets: readonly AppendResult[]): Promise<(string | null)[]> {
    const deadline = Date.now() + this.config.projectionWaitMs;
    const results = Promise.all(
      targets.map((target) => new Promise<string | null>((resolve) => this.waiters.add({ target, resolve, deadline }))),
    );
    this.loop.kick();
    return results;
  }

  private async check(): Promise<void> {
    if (this.waiters.size === 0) return;
    try {
      const positions = await this.offsets.positions(this.dataSource.manager, this.config.projectorGroupId, this.config.eventsTopic);
      const byPartition = new Map(positions.map((p) => [p.partition, p]));
      for (const waiter of this.waiters) {
        const position = byPartition.get(waiter.target.partition);
        if (position && position.nextOffset > waiter.target.offset) this.settle(waiter, position.resourceVersion);
      }
    } finally {
      // Postgres unreachable: waiters time out with resourceVersion null; the events are on the log.
      const now = Date.now();
      for (const waiter of this.waiters) if (waiter.deadline <= now) this.settle(waiter, null);
    }
  }

  private settle(waiter: Waiter, resourceVersion: string | null): void {
    this.waiters.delete(waiter);
    waiter.resolve(resourceVersion);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribeSignal?.();
    await this.loop.stop();
    for (const waiter of this.waiters) this.settle(waiter, null);
  }
}
