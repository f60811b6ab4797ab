import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { ProjectionMetrics, Projector } from '@lib/projection';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { LeaseProtectionStatus, toLeaseProtectionView } from './lease-protection-status';
import { MetricsSources } from './metrics-sources';
import { ProjectorLag, withTimeout } from './projector-lag';

@Controller()
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(ProjectorLag) private readonly lag: ProjectorLag,
    @Inject(LeaseProtectionStatus) private readonly leases: LeaseProtectionStatus,
    @Inject(MetricsSources) private readonly sources: MetricsSources,
    @Optional() @Inject(ProjectionMetrics) private readonly metrics?: ProjectionMetrics,
    @Optional() @Inject(Projector) private readonly projector?: Projector,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 503 with the reason when Postgres or the event log is unreachable or the projector in this
   * process refuses to run; lag is informative, and so
   * is lease protection (still ready: the registry serves, it only holds expiries back).
   */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response) {
    const [postgres, log] = await Promise.allSettled([
      withTimeout(this.dataSource.query('SELECT 1'), 'Postgres'),
      withTimeout(this.eventLog.ping(), 'event log'),
    ]);
    const [lag, leases] = await Promise.all([
      this.lag.measure().catch(() => null),
      withTimeout(this.leases.read(), 'Postgres').then(toLeaseProtectionView, () => null),
    ]);
    const describe = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : `down: ${(r.reason as Error).message}`);
    // A projector that refuses to run (its offsets disagree with the log) needs an operator.
    const refusal = this.projector?.refusal;
    const ready = postgres.status === 'fulfilled' && log.status === 'fulfilled' && refusal === undefined;
    response.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not ready',
      postgres: describe(postgres),
      eventLog: describe(log),
      ...(this.projector ? { projector: refusal === undefined ? 'ok' : `refused: ${refusal}` } : {}),
      projectorLag: lag,
      leaseProtection: leases,
    };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    const [lag, leases] = await Promise.all([
      this.lag.measure().catch(() => -1),
      withTimeout(this.leases.read(), 'Postgres').catch(() => null),
    ]);
    const gauge = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
    return (
      (this.metrics?.render() ?? '') +
      this.sources.render() +
      gauge('registry_projector_lag_events', 'Events on the log not yet projected (-1: unknown).', lag) +
      (leases
        ? gauge('registry_lease_protection_active', 'Lease protective mode: 1 while the sweeper holds expiries back.', leases.protectionActive ? 1 : 0) +
          gauge('registry_lease_pending_expirations', 'Lease expirations due and not carried out (held back, or in restart grace).', leases.pendingExpirations) +
          gauge('registry_lease_would_expire', 'Leases lapsed within the last minute or due now.', leases.wouldExpire) +
          gauge('registry_leased_endpoints', 'Endpoints with a lease, as last counted by the sweeper.', leases.leased)
        : '')
    );
  }
}
