import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar, JSONObjectScalar } from '../graphql/scalars';

@ObjectType()
export class EndpointHistoryEntry {
  @Field(() => ID) eventId!: string;
  @Field() type!: string;
  @Field(() => DateTimeScalar, { description: 'When the registry accepted the change (from the event, not the reader).' }) time!: string;
  @Field(() => String, { nullable: true }) actor?: string;
  @Field(() => JSONObjectScalar) data!: Record<string, unknown>;
  @Field(() => [String], { description: 'Slice resourceVersions written by the command this event belonged to.' })
  resourceVersions!: string[];
}
