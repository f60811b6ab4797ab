import http from 'node:http';

export interface GraphQLError {
  readonly message: string;
  readonly extensions?: { readonly code?: string };
}

export interface GraphQLResponse<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLError[];
}

export const authHeaders = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/**
 * GraphQL over HTTP on keep-alive sockets with node:http (cheaper per request than fetch, so the
 * load generator stays the smaller cost). Authorization is sent when a token is given.
 */
export class GraphQLHttpClient {
  private readonly agent: http.Agent;
  private readonly target: URL;

  constructor(
    url: string,
    private readonly headers: Record<string, string>,
    maxSockets = 128,
  ) {
    this.target = new URL('/graphql', url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  post<T>(query: string, variables: Record<string, unknown>, extraHeaders: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
    return this.send<T>(JSON.stringify({ query, variables }), extraHeaders, true);
  }

  /**
   * `retryStale`: a kept-alive socket the server closed as idle (its keepAliveTimeout) just as
   * a request went out on it fails with ECONNRESET before the server read anything; Node's docs
   * advise sending such a request again, once.
   */
  private send<T>(body: string, extraHeaders: Record<string, string>, retryStale: boolean): Promise<GraphQLResponse<T>> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.agent,
          hostname: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...this.headers, ...extraHeaders },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve(JSON.parse(text) as GraphQLResponse<T>);
            } catch {
              reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      request.setTimeout(30_000, () => request.destroy(new Error('no response within 30 s')));
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (retryStale && request.reusedSocket && error.code === 'ECONNRESET') resolve(this.send<T>(body, extraHeaders, false));
        else reject(error);
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The first error of a response as one line, or undefined when it has data and no errors. */
export const responseError = (response: GraphQLResponse<unknown>): string | undefined => {
  const first = response.errors?.[0];
  if (first) return `${first.extensions?.code ?? 'ERROR'}: ${first.message}`.slice(0, 300);
  if (response.data == null) return 'no data';
  return undefined;
};

export const WAIT_FOR_ACK = { 'x-registry-wait': 'ack' } as const;

export const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { resourceVersion } }`;
export const REGISTER_ENDPOINT = `mutation($input: RegisterEndpointInput!) { registerEndpoint(input: $input) { resourceVersion } }`;
export const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { resourceVersion } }`;
/** Bulk heartbeat (PRODUCT.md): renews the leases of endpoints of one service; not an event. */
export const HEARTBEATS = `mutation($ns: String, $svc: String!, $ids: [String!]!) { heartbeats(namespace: $ns, serviceName: $svc, ids: $ids) { eventIds } }`;
export const REGISTRY_STATUS = `query { registryStatus { projectorLag leaseProtection { active since pendingExpirations } } }`;
export const ENDPOINT_SLICES = `query($ns: String, $svc: String) {
  endpointSlices(namespace: $ns, serviceName: $svc) {
    resourceVersion totalCount
    nodes {
      apiVersion kind
      metadata { name namespace uid labels resourceVersion generation creationTimestamp }
      addressType
      endpoints { addresses conditions { ready serving terminating } hostname nodeName zone targetRef { kind namespace name } }
      ports { name protocol port appProtocol }
    }
  }
}`;

export interface MutationData {
  readonly [field: string]: { readonly resourceVersion: string | null } | undefined;
}

export interface EndpointInput {
  namespace: string;
  serviceName: string;
  addresses: string[];
  hostname: string;
  nodeName: string;
  zone: string;
  conditions: { ready: boolean };
}

export const endpointInput = (namespace: string, service: string, address: string, index: number, zone = 'zone-a'): EndpointInput => ({
  namespace,
  serviceName: service,
  addresses: [address],
  hostname: `host-${index}`,
  nodeName: `node-${index % 500}`,
  zone,
  conditions: { ready: true },
});

export const serviceInput = (namespace: string, name: string) => ({
  namespace,
  name,
  labels: { app: name, bench: 'true' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
});
