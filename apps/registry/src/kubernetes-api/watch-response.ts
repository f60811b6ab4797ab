import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import type { WatchItem, WatchStream } from '../watch/watch-stream';
import { errorLine } from './watch-events';

/** Streams watches as chunked newline-delimited JSON, and ends them cleanly at shutdown. */
@Injectable()
export class WatchResponder implements OnModuleDestroy {
  private readonly open = new Map<WatchStream, Promise<void>>();
  private closing = false;

  /**
   * Headers go out at once: informers wait for them before they consider the watch started,
   * however quiet the stream. A watch that cannot start (resourceVersion too old) is, as
   * upstream, a 200 whose only event is an ERROR.
   */
  async serve(
    response: Response,
    start: () => Promise<WatchStream>,
    encode: (item: WatchItem) => string | undefined,
    timeoutSeconds: number | undefined,
  ): Promise<void> {
    response.status(200).setHeader('Content-Type', 'application/json');
    response.setHeader('Cache-Control', 'no-cache, private');
    response.flushHeaders();
    // A client re-watching while this process stops gets an empty, ended watch and retries elsewhere.
    if (this.closing) return void response.end();
    let stream: WatchStream;
    try {
      stream = await start();
    } catch (error) {
      response.end(errorLine(error));
      return;
    }
    const done = this.pump(response, stream, encode, timeoutSeconds);
    this.open.set(stream, done);
    await done;
    this.open.delete(stream);
  }

  private async pump(response: Response, stream: WatchStream, encode: (item: WatchItem) => string | undefined, timeoutSeconds: number | undefined): Promise<void> {
    const stop = () => void stream.return();
    response.on('close', stop);
    // timeoutSeconds=0 means "the server's default" upstream; here that is no timeout. Node fires
    // a timer beyond 2^31-1 ms at once, so longer ones are capped (24.8 days).
    const timer = timeoutSeconds ? setTimeout(stop, Math.min(timeoutSeconds * 1000, 2 ** 31 - 1)) : undefined;
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
      await finished(response).catch(() => undefined);
    }
  }

  /**
   * Apollo's drain (GraphQLModule.onModuleDestroy) waits 10 s for open HTTP requests and then
   * cuts them, which a client sees as a network failure (client-node's informer stops on one).
   * Nest destroys the root module first, so as a RegistryModule provider this runs before it:
   * the watch closes cleanly and its client re-watches from its last resourceVersion.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    const ending = [...this.open.values()];
    await Promise.all([...this.open.keys()].map((stream) => stream.return()));
    await Promise.all(ending);
  }
}
