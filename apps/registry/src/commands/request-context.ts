import type { Request } from 'express';
import type { CommandOptions } from './command.service';

export interface RequestContext {
  readonly req?: Request;
  readonly actor?: string;
}

/** Header a client sets to return on the broker's ack instead of waiting for the projection. */
export const WAIT_HEADER = 'x-registry-wait';

export const commandOptions = (context: RequestContext): CommandOptions => ({
  actor: context.actor ?? 'anonymous',
  waitForProjection: context.req?.headers[WAIT_HEADER] !== 'ack',
});
