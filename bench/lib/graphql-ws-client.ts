import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WatchEventData {
  readonly endpointSliceEvents: {
    readonly type: string;
    readonly resourceVersion: string;
    readonly object: {
      readonly metadata: { readonly name: string };
      /** `conditions` only with WATCH_EVENTS_WITH_CONDITIONS or WATCH_FULL_SLICES, `nodeName` only with the latter. */
      readonly endpoints: readonly { readonly addresses: readonly string[]; readonly conditions?: { readonly ready: boolean | null }; readonly nodeName?: string | null }[];
    } | null;
  };
}

export const WATCH_EVENTS = `subscription($ns: String, $svc: String) {
  endpointSliceEvents(namespace: $ns, serviceName: $svc) {
    type resourceVersion
    object { metadata { name } endpoints { addresses } }
  }
}`;

/** The same watch, selecting each endpoint's `ready` condition too (the lease expiry scenario). */
export const WATCH_EVENTS_WITH_CONDITIONS = `subscription($ns: String, $svc: String) {
  endpointSliceEvents(namespace: $ns, serviceName: $svc) {
    type resourceVersion
    object { metadata { name } endpoints { addresses conditions { ready } } }
  }
}`;

/** Every field of the slice: the payload a client that mirrors slices receives (the equal-payload fan-out). */
export const WATCH_FULL_SLICES = `subscription($ns: String, $svc: String) {
  endpointSliceEvents(namespace: $ns, serviceName: $svc) {
    type resourceVersion
    object {
      apiVersion kind addressType
      metadata { name namespace uid labels annotations resourceVersion generation creationTimestamp }
      endpoints { addresses conditions { ready serving terminating } hostname nodeName zone targetRef { kind namespace name } }
      ports { name protocol port appProtocol }
    }
  }
}`;

export interface Subscriber {
  readonly client: Client;
  events: number;
  errors: string[];
  completed: boolean;
  stop(): Promise<void>;
}

/**
 * One graphql-ws connection with one endpointSliceEvents subscription, as a user's client would
 * open it (the `ws` package, graphql-transport-ws protocol, the token in connection_init).
 */
export const subscribe = (
  url: string,
  variables: { ns?: string; svc?: string },
  token: string | undefined,
  onEvent: (event: WatchEventData['endpointSliceEvents']) => void,
  query: string = WATCH_EVENTS,
): Subscriber => {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    keepAlive: 0,
  });
  const subscriber: Subscriber = {
    client,
    events: 0,
    errors: [],
    completed: false,
    stop: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
  const unsubscribe = client.subscribe<WatchEventData>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) subscriber.errors.push(...message.errors.map((e) => e.message));
        const event = message.data?.endpointSliceEvents;
        if (event) {
          subscriber.events++;
          onEvent(event);
        }
      },
      error: (error: unknown) => {
        const list = Array.isArray(error) ? error : [error];
        subscriber.errors.push(...list.map((e) => (e instanceof Error ? e.message : String((e as { message?: string }).message ?? e))));
      },
      complete: () => {
        subscriber.completed = true;
      },
    },
  );
  return subscriber;
};
