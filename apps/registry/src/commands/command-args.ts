import { ArgsType, Field, registerEnumType } from '@nestjs/graphql';

export enum MutationWait {
  PROJECTION = 'PROJECTION',
  ACK = 'ACK',
}
registerEnumType(MutationWait, {
  name: 'MutationWait',
  description: 'PROJECTION: return the verdict (and resourceVersion) once projected; ACK: return once Kafka has the events.',
});

/** Arguments every mutation takes. */
@ArgsType()
export class CommandArgs {
  @Field(() => MutationWait, { nullable: true, defaultValue: MutationWait.PROJECTION })
  wait?: MutationWait | null;

  @Field(() => String, { nullable: true, description: 'Unique per intent (1..128 characters): a repeat returns the first command\'s outcome.' })
  requestId?: string | null;
}

/** Service-scoped mutations: optimistic concurrency on the service, like metadata.resourceVersion on update. */
@ArgsType()
export class ServiceCommandArgs extends CommandArgs {
  @Field(() => String, { nullable: true, description: 'Apply only if the service\'s resourceVersion is this ("0": it must not exist).' })
  ifServiceVersion?: string | null;
}

/** Mutations of one endpoint: also a precondition on the endpoint's last change. */
@ArgsType()
export class EndpointCommandArgs extends ServiceCommandArgs {
  @Field(() => String, { nullable: true, description: 'Apply only if the endpoint\'s last change is at this resourceVersion (endpointHistory\'s newest).' })
  ifEndpointVersion?: string | null;
}
