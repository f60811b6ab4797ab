import { Inject } from '@nestjs/common';
import { Args, Field, ID, ObjectType, Query, registerEnumType, Resolver } from '@nestjs/graphql';
import { CommandService } from './command.service';

export enum CommandStatus {
  PENDING = 'PENDING',
  APPLIED = 'APPLIED',
  REJECTED = 'REJECTED',
}
registerEnumType(CommandStatus, { name: 'CommandStatus' });

@ObjectType({ description: 'What became of a command: kept for at least WATCH_HISTORY.' })
export class CommandOutcome {
  @Field(() => CommandStatus) status!: CommandStatus;
  @Field(() => String, { nullable: true, description: 'APPLIED: the resourceVersion of its last change.' }) resourceVersion!: string | null;
  @Field(() => String, { nullable: true, description: 'REJECTED: CONFLICT or NOT_FOUND.' }) code!: string | null;
  @Field(() => String, { nullable: true, description: 'REJECTED: the field and the rule it met.' }) message!: string | null;
}

@Resolver()
export class CommandOutcomeResolver {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Query(() => CommandOutcome, { description: 'PENDING until the projector has judged every part of the command (or when the id is unknown).' })
  async commandOutcome(@Args('id', { type: () => ID }) id: string): Promise<CommandOutcome> {
    const verdict = await this.commands.verdict(id);
    return {
      status: CommandStatus[verdict.status],
      resourceVersion: verdict.resourceVersion ?? null,
      code: verdict.code ?? null,
      message: verdict.message === undefined ? null : verdict.field ? `${verdict.field}: ${verdict.message}` : verdict.message,
    };
  }
}
