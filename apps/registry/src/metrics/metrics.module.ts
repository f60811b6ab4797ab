import { Module } from '@nestjs/common';
import { MetricsSourcesModule } from '@lib/health';
import { ApiMetrics } from './api-metrics';

@Module({ imports: [MetricsSourcesModule], providers: [ApiMetrics], exports: [ApiMetrics] })
export class MetricsModule {}
