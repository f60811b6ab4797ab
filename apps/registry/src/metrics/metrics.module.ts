import { Module } from '@nestjs/common';
import { MetricsSourcesModule } from '@lib/health';
import { ApiMetrics } from './api-metrics';
import { XdsMetrics } from './xds-metrics';

@Module({ imports: [MetricsSourcesModule], providers: [ApiMetrics, XdsMetrics], exports: [ApiMetrics, XdsMetrics] })
export class MetricsModule {}
