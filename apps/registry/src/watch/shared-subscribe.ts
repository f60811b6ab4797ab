import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** Per event object, the result of each distinct operation over it. */
const results = new WeakMap<object, Map<string, Result>>();

const operationKey = (args: ExecutionArgs): string =>
  `${print(args.document)}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;

const mapEvents = (source: AsyncIterator<unknown>, map: (payload: unknown) => Result): AsyncIterableIterator<ExecutionResult> => ({
  async next() {
    const item = await source.next();
    return item.done ? { value: undefined, done: true } : { value: await map(item.value), done: false };
  },
  // Unsubscribing must reach the source at once, even while it waits for its next event.
  async return() {
    await source.return?.();
    return { value: undefined, done: true };
  },
  async throw(error: unknown) {
    await source.return?.();
    throw error;
  },
  [Symbol.asyncIterator]() {
    return this;
  },
});

/**
 * graphql-js executes every subscription event once per subscriber. The change feed hands the
 * same WatchEvent object to every matching subscriber, so the result of an operation over it is
 * computed once and shared by all subscribers that sent the same operation. Safe because the
 * fields below the subscription root read only the event (authorization happened on subscribe).
 */
export const sharedSubscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const key = operationKey(args);
  return mapEvents((source as AsyncIterable<unknown>)[Symbol.asyncIterator](), (payload) => {
    if (typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let byOperation = results.get(payload);
    if (!byOperation) {
      byOperation = new Map();
      results.set(payload, byOperation);
    }
    let result = byOperation.get(key);
    if (!result) {
      result = execute({ ...args, rootValue: payload });
      byOperation.set(key, result);
    }
    return result;
  });
};
