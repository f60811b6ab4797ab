import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'Protective mode: the lease sweeper holds expiries back during a mass lapse.' })
export class LeaseProtection {
  @Field(() => Boolean) active!: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the current episode began.' }) since!: string | null;
  @Field(() => Int, { description: 'Expirations due and not carried out (held back, or in the restart grace).' })
  pendingExpirations!: number;
}

@ObjectType()
export class RegistryStatus {
  @Field(() => LeaseProtection) leaseProtection!: LeaseProtection;
  @Field(() => Int, { description: 'Events on the log not yet projected; -1 when the log cannot be reached.' })
  projectorLag!: number;
}
