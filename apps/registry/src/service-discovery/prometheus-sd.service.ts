import { Inject, Injectable } from '@nestjs/common';
import { EndpointSliceRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
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
    const namespace = scope.namespaces?.length === 1 ? scope.namespaces[0] : undefined;
    const snapshot = await this.slices.snapshot(this.dataSource.manager, { namespace, serviceName: filter.serviceName });
    const readable = snapshot.slices.map((s) => s.slice).filter((slice) => scope.namespaces === undefined || scope.namespaces.includes(slice.namespace));
    return toPrometheusTargetGroups(readable, filter.portName);
  }
}
