import { Inject } from '@nestjs/common';
import { Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../commands/request-context';
import { RegistryStatusService } from './registry-status.service';
import { RegistryStatus } from './registry-status.types';

@Resolver()
export class RegistryStatusResolver {
  constructor(@Inject(RegistryStatusService) private readonly status: RegistryStatusService) {}

  @Query(() => RegistryStatus)
  registryStatus(): Promise<RegistryStatus> {
    return this.status.current();
  }

  @Mutation(() => RegistryStatus, { description: 'Admin: ends the current lease protection episode; expiry resumes until the lapse is over.' })
  releaseLeaseProtection(@Context() context: RequestContext): Promise<RegistryStatus> {
    return this.status.releaseLeaseProtection(context.principal);
  }
}
