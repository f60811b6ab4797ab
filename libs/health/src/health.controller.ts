import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { ConsumerOffsetRepository } from '@lib/persistence';
import { ProjectionMetrics } from '@lib/projection';
import type { Response } from 'express';
import { DataSource } from 'typeorm';

const CHECK_TIMEOUT_MS = 2000;

const withTimeout = <T>(work: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);

@Controller()
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(ConsumerOffsetRepository) private readonly offsets: ConsumerOffsetRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Optional() @Inject(ProjectionMetrics) private readonly metrics?: ProjectionMetrics,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 503 with the reason when Postgres or the event log is unreachable; lag is informative. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response) {
    const [postgres, log] = await Promise.allSettled([
      withTimeout(this.dataSource.query('SELECT 1'), 'Postgres'),
      withTimeout(this.eventLog.ping(), 'event log'),
    ]);
    const lag = await this.projectorLag().catch(() => null);
    const describe = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : `down: ${(r.reason as Error).message}`);
    const ready = postgres.status === 'fulfilled' && log.status === 'fulfilled';
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', postgres: describe(postgres), eventLog: describe(log), projectorLag: lag };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    const lag = await this.projectorLag().catch(() => -1);
    return (
      (this.metrics?.render() ?? '') +
      `# HELP registry_projector_lag_events Events on the log not yet projected (-1: unknown).\n# TYPE registry_projector_lag_events gauge\nregistry_projector_lag_events ${lag}\n`
    );
  }

  /** Events appended but not yet applied, over all partitions. */
  async projectorLag(): Promise<number> {
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
