import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { validateServiceName } from '@lib/domain';
import { LeaseRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { RequestContext } from '../commands/request-context';
import { NamespaceArg } from '../graphql/args';
import { EndpointLease } from './endpoint-lease.types';

@Resolver(() => EndpointLease)
export class EndpointLeaseResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LeaseRepository) private readonly leases: LeaseRepository,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Query(() => [EndpointLease], { description: "The leases of a service's endpoints (those registered with ttlSeconds), by endpoint id." })
  async endpointLeases(@Args('serviceName') serviceName: string, @NamespaceArg() namespace: string, @Context() context: RequestContext): Promise<EndpointLease[]> {
    const [readable] = this.access.readScope(context.principal, namespace) ?? [namespace];
    const leases = await this.leases.ofService(this.dataSource.manager, readable, validateServiceName(serviceName, 'serviceName'));
    return leases.map((lease) => ({ id: lease.id, ttlSeconds: lease.ttlSeconds, deadline: lease.deadline, lapsed: lease.lapsedAt !== null }));
  }
}
