import { Inject, Injectable } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { ConsumerOffsetRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';

export const CHECK_TIMEOUT_MS = 2000;

/** Bounds a health probe: a stalled dependency is reported, never waited on. */
export const withTimeout = <T>(work: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);

/** Events appended but not yet applied, over all partitions: /readyz, /metrics and registryStatus. */
@Injectable()
export class ProjectorLag {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(ConsumerOffsetRepository) private readonly offsets: ConsumerOffsetRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async measure(): Promise<number> {
    const [ends, positions] = await Promise.all([
      withTimeout(this.eventLog.endOffsets(), 'event log'),
      withTimeout(this.offsets.positions(this.dataSource.manager, this.config.projectorGroupId, this.config.eventsTopic), 'Postgres'),
    ]);
    const applied = new Map(positions.map((p) => [p.partition, p.nextOffset]));
    let lag = 0n;
    for (const [partition, end] of ends) lag += end - (applied.get(partition) ?? 0n);
    return Number(lag);
  }
}
