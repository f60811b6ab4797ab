import { once } from 'node:events';
import type { Response } from 'express';
import type { WatchItem, WatchStream } from '../watch/watch-stream';
import { errorLine } from './watch-events';

/**
 * Streams a watch as chunked newline-delimited JSON. Headers go out at once: informers wait for
 * them before they consider the watch started, however quiet the stream. A watch that cannot
 * start (resourceVersion too old) is, as upstream, a 200 whose only event is an ERROR.
 */
export const streamWatch = async (
  response: Response,
  start: () => Promise<WatchStream>,
  encode: (item: WatchItem) => string | undefined,
  timeoutSeconds: number | undefined,
): Promise<void> => {
  response.status(200).setHeader('Content-Type', 'application/json');
  response.setHeader('Cache-Control', 'no-cache, private');
  response.flushHeaders();
  let stream: WatchStream;
  try {
    stream = await start();
  } catch (error) {
    response.end(errorLine(error));
    return;
  }
  const stop = () => void stream.return();
  response.on('close', stop);
  // timeoutSeconds=0 means "the server's default" upstream; here that is no timeout.
  const timer = timeoutSeconds ? setTimeout(stop, timeoutSeconds * 1000) : undefined;
  try {
    for await (const item of stream) {
      const line = encode(item);
      // A slow reader fills the bounded stream instead of this process's memory.
      if (line !== undefined && !response.write(line)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
    }
  } finally {
    clearTimeout(timer);
    response.off('close', stop);
    response.end();
  }
};
