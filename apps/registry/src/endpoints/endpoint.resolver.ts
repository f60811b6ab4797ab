import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { endpointRegistrationCommands, renewLeasesCommand, validateBulkSize, validateNamespace, validateServiceName } from '@lib/domain';
import { CommandArgs, EndpointCommandArgs, ServiceCommandArgs } from '../commands/command-args';
import { CommandService } from '../commands/command.service';
import { commandOptions, type RequestContext } from '../commands/request-context';
import { LeaseService } from '../leases/lease.service';
import { EndpointConditionsInput, MutationResult, RegisterEndpointInput } from './endpoint.types';
import { NamespaceArg } from '../graphql/args';

@Resolver()
export class EndpointResolver {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(LeaseService) private readonly leases: LeaseService,
  ) {}

  @Mutation(() => MutationResult, { description: 'Create or replace one endpoint.' })
  registerEndpoint(
    @Args('input') input: RegisterEndpointInput,
    @Args() args: ServiceCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle(endpointRegistrationCommands([{ field: 'input', input }]), commandOptions(context, args));
  }

  @Mutation(() => MutationResult, { description: 'Bulk: the endpoints of each service are applied in one reconcile.' })
  registerEndpoints(
    @Args('inputs', { type: () => [RegisterEndpointInput] }) inputs: RegisterEndpointInput[],
    @Args() args: ServiceCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    validateBulkSize(inputs, 'inputs');
    return this.commands.handle(
      endpointRegistrationCommands(inputs.map((input, i) => ({ field: `inputs[${i}]`, input }))),
      commandOptions(context, args),
    );
  }

  @Mutation(() => MutationResult)
  setEndpointConditions(
    @Args('serviceName') serviceName: string,
    @Args('id') id: string,
    @Args('conditions') conditions: EndpointConditionsInput,
    @NamespaceArg() namespace: string,
    @Args() args: EndpointCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle(
      [{ type: 'SetEndpointConditions', ...serviceOf(namespace, serviceName), id, conditions }],
      commandOptions(context, args),
    );
  }

  @Mutation(() => MutationResult)
  deregisterEndpoint(
    @Args('serviceName') serviceName: string,
    @Args('id') id: string,
    @NamespaceArg() namespace: string,
    @Args() args: EndpointCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle([{ type: 'DeregisterEndpoints', ...serviceOf(namespace, serviceName), ids: [id] }], commandOptions(context, args));
  }

  @Mutation(() => MutationResult)
  deregisterEndpoints(
    @Args('serviceName') serviceName: string,
    @Args('ids', { type: () => [String] }) ids: string[],
    @NamespaceArg() namespace: string,
    @Args() args: ServiceCommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.commands.handle([{ type: 'DeregisterEndpoints', ...serviceOf(namespace, serviceName), ids }], commandOptions(context, args));
  }

  @Mutation(() => MutationResult, {
    description: 'Renews the lease (not an event). eventIds is empty unless the endpoint was not ready by a lapsed lease and is restored.',
  })
  heartbeat(
    @Args('serviceName') serviceName: string,
    @Args('id') id: string,
    @NamespaceArg() namespace: string,
    @Args() args: CommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.leases.renew(renewLeasesCommand(namespace, serviceName, { id }), commandOptions(context, args));
  }

  @Mutation(() => MutationResult, { description: 'Bulk heartbeat: renews the leases of several endpoints of one service, all or none.' })
  heartbeats(
    @Args('serviceName') serviceName: string,
    @Args('ids', { type: () => [String] }) ids: string[],
    @NamespaceArg() namespace: string,
    @Args() args: CommandArgs,
    @Context() context: RequestContext,
  ): Promise<MutationResult> {
    return this.leases.renew(renewLeasesCommand(namespace, serviceName, { ids }), commandOptions(context, args));
  }
}

const serviceOf = (namespace: string, serviceName: string) => ({
  namespace: validateNamespace(namespace, 'namespace'),
  serviceName: validateServiceName(serviceName, 'serviceName'),
});
