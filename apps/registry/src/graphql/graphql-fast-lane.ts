import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

type Continue = (failure?: unknown) => void;

export interface GraphQLFastLaneParts {
  /** The Express app: every request the lane does not finish goes on to it, whole. */
  readonly express: RequestListener;
  readonly meter: (req: IncomingMessage, res: ServerResponse) => void;
  /** The CORS middleware Express runs too (its headers, set twice, are the same headers). */
  readonly allowOrigin: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** Once per request (see authenticateRequest): Express's access middleware gives the same answer. */
  readonly authenticate: (req: IncomingMessage) => Promise<unknown>;
  /** The JSON body parser Express runs too: on a request it has read, Express's copy does nothing. */
  readonly parseJson: (req: IncomingMessage, res: ServerResponse, next: Continue) => void;
  /** The direct GraphQL handler; `next` hands a request it does not answer to Apollo. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next: () => void) => Promise<void>;
}

const GRAPHQL_URL = '/graphql';

/** What the lane met on a request before handing it to Express: `fastLaneFailures` raises it there. */
const failures = new WeakMap<IncomingMessage, unknown>();

/**
 * Express middleware, mounted where the body parser is: a failure the lane met (an unreadable body,
 * a handler that threw) goes on as if Express had met it there, to the same error handling.
 */
export const fastLaneFailures = (req: IncomingMessage, _res: ServerResponse, next: Continue): void => next(failures.get(req));

/**
 * `POST /graphql` without Express's router: the HTTP server's request listener runs the same steps
 * the Express stack runs for it (metrics, CORS, authentication, the JSON body parser, the direct
 * handler) and hands anything else to Express, as it is: other paths and methods, a refused token,
 * an unreadable body, and whatever the direct handler leaves to Apollo. The steps remember what
 * they did on the request, so Express neither counts, charges nor reads it twice, and a refusal or
 * a failure reaches the client as it does through Express. Express's router matched each mutation
 * against every layer of the app (Nest's controllers among them) and decorated request and
 * response; this takes that off the write path.
 */
export const graphqlFastLane =
  (parts: GraphQLFastLaneParts): RequestListener =>
  (req, res) => {
    if (req.method !== 'POST' || req.url !== GRAPHQL_URL) {
      parts.express(req, res);
      return;
    }
    const toExpress: Continue = (failure) => {
      if (failure !== undefined) failures.set(req, failure);
      parts.express(req, res);
    };
    const serve = async (): Promise<void> => {
      await new Promise<void>((resolve) => parts.allowOrigin(req, res, resolve));
      try {
        await parts.authenticate(req);
      } catch {
        // The access middleware answers with the same refusal.
        return toExpress();
      }
      const unreadable = await new Promise<unknown>((resolve) => parts.parseJson(req, res, resolve));
      if (unreadable !== undefined) return toExpress(unreadable);
      await parts.handle(req, res, () => toExpress());
    };
    parts.meter(req, res);
    serve().catch(toExpress);
  };
