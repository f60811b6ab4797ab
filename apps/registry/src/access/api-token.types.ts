import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType()
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String]) scopes!: string[];
  @Field(() => DateTimeScalar) createdAt!: string;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt?: string;
}

@ObjectType({ description: 'Who the request is from: what a client (the console) needs to offer only what the token may do.' })
export class Viewer {
  @Field() name!: string;
  @Field(() => [String], { description: '"read:<ns>", "write:<ns>", "admin"; with AUTH_MODE=off, "admin"' })
  scopes!: string[];
}

@ObjectType({ description: 'The secret is shown once, here; only its hash is stored.' })
export class CreatedApiToken {
  @Field() token!: string;
  @Field(() => ApiToken) apiToken!: ApiToken;
}

@InputType()
export class CreateApiTokenInput {
  @Field() name!: string;
  @Field(() => [String], { description: '"read:<ns>", "write:<ns>" (implies read), "admin"; <ns> may be "*"' })
  scopes!: string[];
}
