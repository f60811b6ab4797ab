import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'An endpoint registered with ttlSeconds: when its next heartbeat is due.' })
export class EndpointLease {
  @Field({ description: 'The endpoint id.' }) id!: string;
  @Field(() => Int) ttlSeconds!: number;
  @Field(() => DateTimeScalar, { description: 'A heartbeat must arrive before this, or the endpoint turns not ready.' }) deadline!: string;
  @Field(() => Boolean, { description: 'The lease lapsed: the endpoint is held not ready until a heartbeat arrives (or it is removed).' }) lapsed!: boolean;
}
