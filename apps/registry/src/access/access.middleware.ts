import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { httpStatusOf, toGraphQLError } from '../graphql/format-error';
import { isIdePageRequest } from '../graphql/graphql-ide';
import type { AccessService } from './access.service';
import type { Principal } from './principal';

/** The peer's address, the same for HTTP and WebSocket upgrades (no proxy header is trusted). */
export const clientAddressOf = (request: IncomingMessage): string | undefined => request.socket.remoteAddress;

const principals = new WeakMap<IncomingMessage, Principal>();
const attempts = new WeakMap<IncomingMessage, Promise<Principal>>();

/** Who sent this request, as accessMiddleware verified it. */
export const principalOf = (req: IncomingMessage): Principal => {
  const principal = principals.get(req);
  // Only reachable if the middleware was not mounted: fail closed.
  if (!principal) throw new Error('request reached GraphQL without passing the access middleware');
  return principal;
};

/**
 * AccessService.authenticate, once per request whoever asks first (the GraphQL fast lane, then
 * this middleware when the request goes on to Express): a request is charged to the rate limiter
 * once, and a refusal is the same refusal on either path.
 */
export const authenticateRequest = async (access: AccessService, req: IncomingMessage): Promise<Principal> => {
  let attempt = attempts.get(req);
  if (attempt === undefined) {
    attempt = access.authenticate(req.headers.authorization, clientAddressOf(req));
    attempts.set(req, attempt);
  }
  const principal = await attempt;
  principals.set(req, principal);
  return principal;
};

/**
 * AccessService.authenticate for every request on its path, before the body is even parsed:
 * refused requests answer with their HTTP status (401, 429 with Retry-After, 503) and a GraphQL
 * error body, and cost nothing else. With `idePage`, a browser's request for the IDE page passes
 * without a token: the page is static, and its operations carry the token typed into it.
 */
export const accessMiddleware =
  (access: AccessService, options: { idePage: boolean }) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (options.idePage && isIdePageRequest(req)) {
      next();
      return;
    }
    try {
      await authenticateRequest(access, req);
    } catch (error) {
      const { message, code, extensions } = toGraphQLError(error);
      const retryAfter = extensions?.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
      res.status(httpStatusOf(code)).json({ errors: [{ message, extensions: { ...extensions, code } }] });
      return;
    }
    next();
  };
