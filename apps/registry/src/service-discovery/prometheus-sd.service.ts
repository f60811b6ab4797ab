import { Inject, Injectable } from '@nestjs/common';
import { EndpointSliceRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { ALL_ROWS } from '../kubernetes-api/kubernetes-api.service';
import type { ReadScope } from '../kubernetes-api/read-access';
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
    const page = await this.slices.page(this.dataSource.manager, { namespaces: scope.namespaces, serviceName: filter.serviceName, first: ALL_ROWS });
    return toPrometheusTargetGroups(page.items.map((item) => item.node.slice), filter.portName);
  }
}
