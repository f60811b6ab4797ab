import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ProtocolEnum } from '../graphql/enums';

@InputType()
export class EndpointPortInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ProtocolEnum, { nullable: true, defaultValue: 'TCP' }) protocol?: string | null;
  @Field(() => Int) port!: number;
}

@InputType({ description: 'ready defaults to serving && !terminating' })
export class EndpointConditionsInput {
  @Field(() => Boolean, { nullable: true }) ready?: boolean | null;
  @Field(() => Boolean, { nullable: true, defaultValue: true }) serving?: boolean | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) terminating?: boolean | null;
}

@InputType()
export class RegisterEndpointInput {
  @Field(() => String, { nullable: true, defaultValue: 'default' }) namespace?: string | null;
  @Field() serviceName!: string;
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field(() => [String]) addresses!: string[];
  @Field(() => EndpointConditionsInput, { nullable: true }) conditions?: EndpointConditionsInput | null;
  @Field(() => String, { nullable: true }) hostname?: string | null;
  @Field(() => String, { nullable: true }) nodeName?: string | null;
  @Field(() => String, { nullable: true }) zone?: string | null;
  @Field(() => [EndpointPortInput], { nullable: true }) ports?: EndpointPortInput[] | null;
  @Field(() => Int, { nullable: true }) ttlSeconds?: number | null;
  @Field(() => Int, { nullable: true }) deregisterAfterSeconds?: number | null;
}

@ObjectType()
export class MutationResult {
  @Field(() => ID, { description: 'Identifies the command: commandOutcome(id) tells what became of it.' }) commandId!: string;
  @Field(() => [ID]) eventIds!: string[];
  @Field(() => String, { nullable: true, description: 'Set once the events are projected; null when the wait timed out or was skipped.' })
  resourceVersion!: string | null;
}
