import { Module } from '@nestjs/common';
import { MetricsSourcesModule } from '@lib/health';
import { ApiMetrics } from './api-metrics';
import { DnsMetrics } from './dns-metrics';
import { XdsMetrics } from './xds-metrics';

@Module({ imports: [MetricsSourcesModule], providers: [ApiMetrics, DnsMetrics, XdsMetrics], exports: [ApiMetrics, DnsMetrics, XdsMetrics] })
export class MetricsModule {}
