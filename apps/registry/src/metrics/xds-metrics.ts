import { Inject, Injectable } from '@nestjs/common';
import { MetricsSources } from '@lib/health';
import { XDS_TYPES, type XdsType } from '../xds/resource-types';
import { Series } from './prometheus-text';

/** The xDS server on /metrics: open ADS streams, responses sent and rejected, by resource type. */
@Injectable()
export class XdsMetrics {
  readonly streams = new Series('registry_xds_streams', 'Open xDS (ADS) streams on this instance.', 'gauge');
  readonly pushes = new Series('registry_xds_pushes_total', 'xDS responses sent, by resource type (LDS, RDS, CDS, EDS).', 'counter');
  readonly nacks = new Series('registry_xds_nacks_total', 'xDS responses a client rejected (NACK), by resource type.', 'counter');

  constructor(@Inject(MetricsSources) sources: MetricsSources) {
    // Every label set exists from the start, so rate() sees the first one.
    for (const type of XDS_TYPES) {
      this.pushes.add(0, { type });
      this.nacks.add(0, { type });
    }
    sources.add(() => [this.streams, this.pushes, this.nacks].map((metric) => metric.render()).join(''));
  }

  pushed(type: XdsType): void {
    this.pushes.inc({ type });
  }

  rejected(type: XdsType): void {
    this.nacks.inc({ type });
  }
}
