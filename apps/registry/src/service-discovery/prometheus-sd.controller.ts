import { Controller, Get, Inject, Query, Req, UseFilters } from '@nestjs/common';
import { validateServiceName } from '@lib/domain';
import type { Request } from 'express';
import { KubernetesStatusFilter } from '../kubernetes-api/kubernetes-status.filter';
import { ReadAccess } from '../kubernetes-api/read-access';
import { PrometheusSdService } from './prometheus-sd.service';
import type { PrometheusTargetGroup } from './prometheus-targets';

const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Prometheus HTTP service discovery (http_sd_configs): ready endpoints as scrape targets. */
@Controller('sd')
@UseFilters(KubernetesStatusFilter)
export class PrometheusSdController {
  constructor(
    @Inject(ReadAccess) private readonly access: ReadAccess,
    @Inject(PrometheusSdService) private readonly discovery: PrometheusSdService,
  ) {}

  @Get('prometheus')
  async prometheus(
    @Req() request: Request,
    @Query('namespace') namespace: unknown,
    @Query('service') service: unknown,
    @Query('port') port: unknown,
  ): Promise<PrometheusTargetGroup[]> {
    const scope = await this.access.authorize(request, optional(namespace) || undefined);
    const serviceName = optional(service);
    // `port=` (empty) selects the unnamed port, whose name is "".
    return this.discovery.targets(scope, { serviceName: serviceName ? validateServiceName(serviceName, 'service') : undefined, portName: optional(port) });
  }
}
