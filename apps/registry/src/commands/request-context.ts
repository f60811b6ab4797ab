import type { Request } from 'express';
import type { Principal } from '../access/principal';
import type { CommandOptions } from './command.service';

/** What every resolver gets: the caller, and the HTTP request when there is one (not over graphql-ws). */
export interface RequestContext {
  readonly req?: Request;
  readonly principal: Principal;
}

/** Header a client sets to return on the broker's ack instead of waiting for the projection. */
export const WAIT_HEADER = 'x-registry-wait';

export const commandOptions = (context: RequestContext): CommandOptions => ({
  principal: context.principal,
  waitForProjection: context.req?.headers[WAIT_HEADER] !== 'ack',
});
