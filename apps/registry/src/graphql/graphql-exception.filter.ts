import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';

/**
 * Hands every resolver error to formatError untouched. Without it Nest logs client mistakes
 * (a bad address, an unknown service) as server errors with stack traces.
 */
@Catch()
export class GraphQLPassThroughFilter implements GqlExceptionFilter {
  catch(exception: unknown): unknown {
    return exception;
  }
}
