import { Module } from '@nestjs/common';
import { MetricsSourcesModule } from '@lib/health';
import { ApiMetrics } from './api-metrics';
import { DnsMetrics } from './dns-metrics';

@Module({ imports: [MetricsSourcesModule], providers: [ApiMetrics, DnsMetrics], exports: [ApiMetrics, DnsMetrics] })
export class MetricsModule {}
