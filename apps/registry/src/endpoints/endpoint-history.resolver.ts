import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { DomainError, validateEndpointId, validateServiceName } from '@lib/domain';
import { EndpointHistoryRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { RequestContext } from '../commands/request-context';
import { EndpointHistoryEntry } from './endpoint-history.types';
import { IntArg, NamespaceArg } from '../graphql/args';

const MAX_HISTORY = 1000;

@Resolver(() => EndpointHistoryEntry)
export class EndpointHistoryResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EndpointHistoryRepository) private readonly history: EndpointHistoryRepository,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Query(() => [EndpointHistoryEntry], { description: 'What happened to an endpoint, when, and who did it; oldest first.' })
  async endpointHistory(
    @Args('serviceName') serviceName: string,
    @Args('id') id: string,
    @NamespaceArg() namespace: string,
    @IntArg('last', 100) last: number,
    @Context() context: RequestContext,
  ): Promise<EndpointHistoryEntry[]> {
    const [readable] = this.access.readScope(context.principal, namespace) ?? [namespace];
    if (!Number.isInteger(last) || last < 1 || last > MAX_HISTORY) throw new DomainError('BAD_USER_INPUT', 'last', `must be between 1 and ${MAX_HISTORY}`);
    const entries = await this.history.last(
      this.dataSource.manager,
      { namespace: readable, serviceName: validateServiceName(serviceName, 'serviceName'), endpointId: validateEndpointId(id, 'id') },
      last,
    );
    return entries.map((e) => ({ eventId: e.eventId, type: e.type, time: e.time, actor: e.actor, data: e.data as Record<string, unknown>, resourceVersions: [...e.resourceVersions] }));
  }
}
