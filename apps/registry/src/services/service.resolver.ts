import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { validateServiceName } from '@lib/domain';
import { EndpointSliceRepository, ServiceRepository, encodeCursor } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ServiceCommandArgs } from '../commands/command-args';
import { CommandService } from '../commands/command.service';
import { commandOptions, type RequestContext } from '../commands/request-context';
import { toEndpointSliceObject } from '../endpoint-slices/endpoint-slice.mapper';
import { EndpointSlice } from '../endpoint-slices/endpoint-slice.types';
import { MutationResult } from '../endpoints/endpoint.types';
import { parseListArguments } from '../queries/list-arguments';
import { toServiceObject } from './service.mapper';
import { RegisterServiceInput, Service, ServiceConnection } from './service.types';
import { IntArg, NamespaceArg } from '../graphql/args';

@Resolver(() => Service)
export class ServiceResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceRepository) private readonly serviceRows: ServiceRepository,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Query(() => Service, { nullable: true })
  async service(
    @Args('name') name: string,
    @NamespaceArg() namespace: string,
    @Context() context: RequestContext,
  ): Promise<Service | null> {
    const [readable] = this.access.readScope(context.principal, namespace) ?? [namespace];
    const stored = await this.serviceRows.get(this.dataSource.manager, readable, validateServiceName(name, 'name'));
    return stored ? toServiceObject(stored) : null;
  }

  @Query(() => ServiceConnection)
  async services(
    @Args('namespace', { type: () => String, nullable: true }) namespace: string | null,
    @Args('labelSelector', { type: () => String, nullable: true }) labelSelector: string | null,
    @IntArg('first', 100) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() context: RequestContext,
  ): Promise<ServiceConnection> {
    const namespaces = this.access.readScope(context.principal, namespace);
    const page = await this.serviceRows.page(this.dataSource.manager, parseListArguments({ namespaces, labelSelector, first, after }));
    const last = page.items[page.items.length - 1];
    return {
      nodes: page.items.map((item) => toServiceObject(item.node)),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.key) : undefined },
      totalCount: page.totalCount,
    };
  }

  @ResolveField(() => [EndpointSlice])
  async endpointSlices(@Parent() service: Service): Promise<EndpointSlice[]> {
    const key = `${service.namespace}/${service.name}`;
    const slices = await this.slices.forServices(this.dataSource.manager, [key]);
    return (slices.get(key) ?? []).map(toEndpointSliceObject);
  }

  @Mutation(() => MutationResult, { description: 'Create or replace a service definition.' })
  registerService(
    @Args('input') input: RegisterServiceInput,
    @Args() args: ServiceCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle([{ type: 'RegisterService', input }], commandOptions(context, args));
  }

  @Mutation(() => MutationResult)
  deleteService(
    @Args('name') name: string,
    @NamespaceArg() namespace: string,
    @Args() args: ServiceCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle([{ type: 'DeleteService', namespace, name }], commandOptions(context, args));
  }
}
