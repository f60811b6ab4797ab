import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';

/** JSON.stringify writes this NUL as the six characters `\u0000`, which nothing else ends a message with. */
const MARK = '\u0000payload:';
const ESCAPED_MARK = JSON.stringify(MARK).slice(1, -1);

/** Each result's JSON text, computed once for all the subscribers that share the result object. */
const serialized = new WeakMap<ExecutionResult, string>();

/**
 * graphql-ws stringifies every `next` message for each subscriber. sharedSubscribe already hands
 * the subscribers of one event the same result object, so the payload is serialized once: the
 * message carries a placeholder (its payload's toJSON) that the socket's send swaps for that text.
 * 100 subscribers of a 100-endpoint slice stringify ~22 kB once per change, not 100 times.
 */
export class SharedPayloads {
  /** Per socket, the texts of placeholders handed out and not yet sent. */
  private readonly pending = new WeakMap<WebSocket, Map<string, string>>();
  private nextToken = 0;

  /** Makes `socket.send` replace this socket's placeholders; call before graphql-ws gets the socket. */
  attach(socket: WebSocket): void {
    const texts = new Map<string, string>();
    this.pending.set(socket, texts);
    const send = socket.send.bind(socket);
    socket.send = ((data: unknown, ...rest: unknown[]) =>
      (send as (data: unknown, ...rest: unknown[]) => void)(typeof data === 'string' ? expand(data, texts) : data, ...rest)) as WebSocket['send'];
  }

  /** What onNext returns for an error-free result: serialized once, sent as is. */
  payloadFor(socket: WebSocket, result: ExecutionResult): { toJSON(): string } | undefined {
    const texts = this.pending.get(socket);
    if (!texts) return undefined;
    let text = serialized.get(result);
    if (text === undefined) {
      text = JSON.stringify(result);
      serialized.set(result, text);
    }
    const token = String(this.nextToken++);
    texts.set(token, text);
    return { toJSON: () => `${MARK}${token}` };
  }
}

/** `{"id":…,"type":"next","payload":"<mark><token>"}` → the same message with the payload's text. */
const expand = (data: string, texts: Map<string, string>): string => {
  const at = data.lastIndexOf(`"${ESCAPED_MARK}`);
  if (at < 0 || !data.endsWith('"}')) return data;
  const token = data.slice(at + 1 + ESCAPED_MARK.length, -2);
  const text = texts.get(token);
  if (text === undefined) return data;
  texts.delete(token);
  return `${data.slice(0, at)}${text}}`;
};
