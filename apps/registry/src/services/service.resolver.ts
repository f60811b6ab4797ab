import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { validateServiceName } from '@lib/domain';
import { ServiceRepository } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ServiceCommandArgs } from '../commands/command-args';
import { CommandService } from '../commands/command.service';
import { commandOptions, type RequestContext } from '../commands/request-context';
import { toEndpointSliceObject } from '../endpoint-slices/endpoint-slice.mapper';
import { EndpointSlice } from '../endpoint-slices/endpoint-slice.types';
import { MutationResult } from '../endpoints/endpoint.types';
import { listComplexity } from '../graphql/query-cost';
import { DEFAULT_PAGE_SIZE, parseListArguments } from '../queries/list-arguments';
import type { ServiceListing } from './service-connection.resolver';
import { ServiceSlicesLoader } from './service-slices.loader';
import { toServiceObject } from './service.mapper';
import { RegisterServiceInput, Service, ServiceConnection } from './service.types';
import { IntArg, NamespaceArg } from '../graphql/args';

@Resolver(() => Service)
export class ServiceResolver {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceRepository) private readonly serviceRows: ServiceRepository,
    @Inject(ServiceSlicesLoader) private readonly sliceLoader: ServiceSlicesLoader,
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
  services(
    @Args('namespace', { type: () => String, nullable: true }) namespace: string | null,
    @Args('labelSelector', { type: () => String, nullable: true }) labelSelector: string | null,
    @IntArg('first', 100) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() context: RequestContext,
  ): ServiceListing {
    const namespaces = this.access.readScope(context.principal, namespace);
    return { list: parseListArguments({ namespaces, labelSelector, first, after }) };
  }

  // A service may have many slices: the cost model charges each selected slice field a page's worth.
  @ResolveField(() => [EndpointSlice], { complexity: listComplexity(DEFAULT_PAGE_SIZE) })
  async endpointSlices(@Parent() service: Service, @Context() context: RequestContext): Promise<EndpointSlice[]> {
    return (await this.sliceLoader.load(context, `${service.namespace}/${service.name}`)).map(toEndpointSliceObject);
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
