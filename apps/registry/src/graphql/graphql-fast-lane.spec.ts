import type { IncomingMessage, ServerResponse } from 'node:http';
import { fastLaneFailures, graphqlFastLane, type GraphQLFastLaneParts } from './graphql-fast-lane';

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** The lane with recording parts; each step's behaviour as given. */
const lane = (options: { refuse?: boolean; bodyError?: Error; parseThrows?: Error; handler?: 'answer' | 'next' | Error } = {}) => {
  const steps: string[] = [];
  const parts: GraphQLFastLaneParts = {
    express: (req) => {
      let raised: unknown = 'none';
      fastLaneFailures(req, {} as ServerResponse, (failure) => (raised = failure));
      steps.push(`express(${raised === undefined ? '' : (raised as Error).message})`);
    },
    meter: () => steps.push('meter'),
    allowOrigin: (_req, _res, next) => {
      steps.push('cors');
      next();
    },
    authenticate: async () => {
      steps.push('authenticate');
      if (options.refuse) throw new Error('refused');
    },
    parseJson: (_req, _res, next) => {
      steps.push('parse');
      if (options.parseThrows) throw options.parseThrows;
      next(options.bodyError);
    },
    handle: async (_req, _res, next) => {
      steps.push('handle');
      if (options.handler instanceof Error) throw options.handler;
      if (options.handler === 'next') next();
    },
  };
  return { listener: graphqlFastLane(parts), steps };
};

const request = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers }) as unknown as IncomingMessage;

describe('graphqlFastLane: POST /graphql before Express', () => {
  it('meters, applies CORS, authenticates, parses and answers a plain POST without Express', async () => {
    const { listener, steps } = lane({ handler: 'answer' });
    listener(request('POST', '/graphql'), {} as ServerResponse);
    await flush();
    expect(steps).toEqual(['meter', 'cors', 'authenticate', 'parse', 'handle']);
  });

  it.each([
    ['GET', '/graphql', {}],
    ['POST', '/graphql?x=1', {}],
    ['POST', '/apis/discovery.k8s.io/v1/endpointslices', {}],
  ])('hands %s %s to Express untouched', async (method, url, headers) => {
    const { listener, steps } = lane();
    listener(request(method, url, headers), {} as ServerResponse);
    await flush();
    expect(steps).toEqual(['express()']);
  });

  it('a refused token goes to Express unread, which answers the same refusal', async () => {
    const { listener, steps } = lane({ refuse: true });
    listener(request('POST', '/graphql'), {} as ServerResponse);
    await flush();
    expect(steps).toEqual(['meter', 'cors', 'authenticate', 'express()']);
  });

  it('an unreadable body is raised in Express where its body parser stands', async () => {
    const { listener, steps } = lane({ bodyError: new Error('request entity too large') });
    listener(request('POST', '/graphql'), {} as ServerResponse);
    await flush();
    expect(steps).toEqual(['meter', 'cors', 'authenticate', 'parse', 'express(request entity too large)']);
  });

  it('a step that throws instead of calling back is raised in Express too, never left unhandled', async () => {
    const { listener, steps } = lane({ parseThrows: new Error('parser broke') });
    listener(request('POST', '/graphql'), {} as ServerResponse);
    await flush();
    expect(steps).toEqual(['meter', 'cors', 'authenticate', 'parse', 'express(parser broke)']);
  });

  it('what the direct handler leaves goes on to Express (Apollo), and what it throws is raised there', async () => {
    const left = lane({ handler: 'next' });
    left.listener(request('POST', '/graphql'), {} as ServerResponse);
    const threw = lane({ handler: new Error('boom') });
    threw.listener(request('POST', '/graphql'), {} as ServerResponse);
    await flush();
    expect(left.steps).toEqual(['meter', 'cors', 'authenticate', 'parse', 'handle', 'express()']);
    expect(threw.steps).toEqual(['meter', 'cors', 'authenticate', 'parse', 'handle', 'express(boom)']);
  });
});
