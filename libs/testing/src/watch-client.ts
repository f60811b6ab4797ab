import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface ReceivedEvent {
  readonly type: string;
  readonly resourceVersion: string;
  readonly object: { metadata: { name: string; namespace: string; resourceVersion: string; generation: number }; endpoints: unknown[] } | null;
}

export interface Watch {
  readonly events: ReceivedEvent[];
  readonly errors: { message: string; extensions?: { code?: string } }[];
  completed: boolean;
  /** The WebSocket close code when the server closed the connection (4401, 4403, 1009, ...). */
  closeCode?: number;
  stop(): Promise<void>;
}

export const WATCH = `subscription($ns: String, $svc: String, $sel: String, $rv: String, $bookmarks: Boolean) {
  endpointSliceEvents(namespace: $ns, serviceName: $svc, labelSelector: $sel, resourceVersion: $rv, allowBookmarks: $bookmarks) {
    type resourceVersion
    object { metadata { name namespace resourceVersion generation } endpoints { addresses conditions { ready serving terminating } } }
  }
}`;

/** A graphql-ws client as a user would run one (the `ws` package, graphql-transport-ws protocol). */
export const watch = (
  baseUrl: string,
  variables: { ns?: string; svc?: string; sel?: string; rv?: string; bookmarks?: boolean } = {},
  connectionParams: Record<string, unknown> = {},
): Watch => {
  const client: Client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    // A refused connection reaches the subscription's error sink below; not worth a console line.
    onNonLazyError: () => undefined,
  });
  const result: Watch = {
    events: [],
    errors: [],
    completed: false,
    stop: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
  const unsubscribe = client.subscribe<{ endpointSliceEvents: ReceivedEvent }>(
    { query: WATCH, variables },
    {
      next: (message) => {
        if (message.errors) result.errors.push(...(message.errors as Watch['errors']));
        if (message.data?.endpointSliceEvents) result.events.push(message.data.endpointSliceEvents);
      },
      error: (error) => {
        const closeCode = (error as { code?: unknown }).code;
        if (typeof closeCode === 'number') result.closeCode = closeCode;
        const list = Array.isArray(error) ? error : [error];
        result.errors.push(...list.map((e) => ({ message: (e as Error).message ?? String(e), extensions: (e as { extensions?: { code?: string } }).extensions })));
      },
      complete: () => {
        result.completed = true;
      },
    },
  );
  return result;
};
