import { Inject, Injectable } from '@nestjs/common';
import { EndpointSliceRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { inScope, singleNamespace, type ReadScope } from '../kubernetes-api/read-access';
import { toPrometheusTargetGroups, type PrometheusTargetGroup } from './prometheus-targets';

export interface TargetFilter {
  readonly serviceName?: string;
  readonly portName?: string;
}

/** Prometheus targets from the same projection as every other read, in one snapshot. */
@Injectable()
export class PrometheusSdService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
  ) {}

  async targets(scope: ReadScope, filter: TargetFilter): Promise<PrometheusTargetGroup[]> {
    const snapshot = await this.slices.snapshot(this.dataSource.manager, { namespace: singleNamespace(scope), serviceName: filter.serviceName });
    const readable = snapshot.slices.map((stored) => stored.slice).filter((slice) => inScope(scope, slice.namespace));
    return toPrometheusTargetGroups(readable, filter.portName);
  }
}
