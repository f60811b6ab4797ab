import type { IncomingMessage } from 'node:http';
import { isTraceparent } from '@lib/domain';
import type { Principal } from '../access/principal';
import { MutationWait, type CommandArgs, type EndpointCommandArgs } from './command-args';
import type { CommandOptions } from './command.service';

/** What every resolver gets: the caller, and the HTTP request when there is one (not over graphql-ws). */
export interface RequestContext {
  readonly req?: IncomingMessage;
  readonly principal: Principal;
}

/** Header a client sets to return on the broker's ack instead of waiting for the projection. */
export const WAIT_HEADER = 'x-registry-wait';

export const commandOptions = (context: RequestContext, args: CommandArgs & Partial<EndpointCommandArgs> = {}): CommandOptions => ({
  principal: context.principal,
  waitForProjection: args.wait !== MutationWait.ACK && context.req?.headers[WAIT_HEADER] !== 'ack',
  ...(args.requestId != null && { requestId: args.requestId }),
  preconditions: { ifServiceVersion: args.ifServiceVersion, ifEndpointVersion: args.ifEndpointVersion },
  // A malformed traceparent is dropped, as W3C Trace Context asks of a receiver.
  ...(isTraceparent(context.req?.headers.traceparent) && { traceparent: context.req.headers.traceparent }),
});
