import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { validateServiceName } from '@lib/domain';
import { EndpointSliceRepository, encodeCursor } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { RequestContext } from '../commands/request-context';
import { AddressTypeEnum } from '../graphql/enums';
import { parseListArguments } from '../queries/list-arguments';
import { toEndpointSliceObject } from './endpoint-slice.mapper';
import { EndpointSlice, EndpointSliceConnection } from './endpoint-slice.types';
import { IntArg, NamespaceArg } from '../graphql/args';

@Resolver(() => EndpointSlice)
export class EndpointSliceResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Query(() => EndpointSlice, { nullable: true })
  async endpointSlice(
    @Args('name') name: string,
    @NamespaceArg() namespace: string,
    @Context() context: RequestContext,
  ): Promise<EndpointSlice | null> {
    const [readable] = this.access.readScope(context.principal, namespace) ?? [namespace];
    const stored = await this.slices.get(this.dataSource.manager, readable, name);
    return stored ? toEndpointSliceObject(stored) : null;
  }

  @Query(() => EndpointSliceConnection)
  async endpointSlices(
    @Args('namespace', { type: () => String, nullable: true }) namespace: string | null,
    @Args('serviceName', { type: () => String, nullable: true }) serviceName: string | null,
    @Args('addressType', { type: () => AddressTypeEnum, nullable: true }) addressType: 'IPv4' | 'IPv6' | 'FQDN' | null,
    @Args('labelSelector', { type: () => String, nullable: true }) labelSelector: string | null,
    @IntArg('first', 100) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() context: RequestContext,
  ): Promise<EndpointSliceConnection> {
    const list = parseListArguments({ namespaces: this.access.readScope(context.principal, namespace), labelSelector, first, after });
    const page = await this.slices.page(this.dataSource.manager, {
      ...list,
      serviceName: serviceName != null ? validateServiceName(serviceName, 'serviceName') : undefined,
      addressType: addressType ?? undefined,
    });
    const last = page.items[page.items.length - 1];
    return {
      nodes: page.items.map((item) => toEndpointSliceObject(item.node)),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.key) : undefined },
      totalCount: page.totalCount,
      resourceVersion: page.resourceVersion,
    };
  }
}
