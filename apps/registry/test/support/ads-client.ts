import { Metadata, credentials, makeGenericClientConstructor, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
// The decoder @grpc/grpc-js-xds itself applies to every resource it receives.
import { decodeSingleResource } from '@grpc/grpc-js-xds/build/src/resources';
import { loadAdsService } from '../../src/xds/xds-protos';
import type { DiscoveryRequest } from '../../src/xds/ads-subscriptions';

export interface DecodedResponse {
  readonly version_info: string;
  readonly type_url: string;
  readonly nonce: string;
  /** Each resource decoded as the gRPC xDS client decodes it. */
  readonly resources: readonly Record<string, unknown>[];
}

interface RawResponse {
  readonly version_info: string;
  readonly type_url: string;
  readonly nonce: string;
  /** Absent when empty: the loader leaves out default values. */
  readonly resources?: readonly { type_url: string; value: Buffer }[];
}

const AdsClient = makeGenericClientConstructor(loadAdsService(), 'AggregatedDiscoveryService');

/** The name of a decoded Listener, RouteConfiguration, Cluster or ClusterLoadAssignment. */
export const resourceName = (resource: Record<string, unknown>): string => String(resource.name ?? resource.cluster_name);

/**
 * A hand-driven ADS stream, as Envoy opens one (with `authorization` in the initial metadata):
 * for what the proxyless client does not expose (tokens, NACKs, raw responses).
 */
export class AdsStream {
  private readonly client: InstanceType<typeof AdsClient>;
  private readonly call: ClientDuplexStream<DiscoveryRequest, RawResponse>;
  private readonly received: DecodedResponse[] = [];
  private waiting?: () => void;
  /** Resolves with the status the server ended the stream with. */
  readonly ended: Promise<{ code: number; details: string }>;

  constructor(address: string, token?: string) {
    this.client = new AdsClient(address, credentials.createInsecure());
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    const method = (this.client as unknown as Record<string, (m: Metadata) => ClientDuplexStream<DiscoveryRequest, RawResponse>>).StreamAggregatedResources;
    this.call = method.call(this.client, metadata);
    this.call.on('data', (raw: RawResponse) => {
      const decode = (r: { type_url: string; value: Buffer }) => decodeSingleResource(r.type_url as Parameters<typeof decodeSingleResource>[0], r.value) as unknown;
      this.received.push({ ...raw, resources: (raw.resources ?? []).map((r) => decode(r) as Record<string, unknown>) });
      this.waiting?.();
    });
    this.ended = new Promise((resolve) => {
      this.call.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details }));
      this.call.on('status', (status: { code: number; details: string }) => resolve(status));
    });
  }

  send(request: DiscoveryRequest & { node?: { id: string } }): void {
    this.call.write({ node: { id: 'ads-test' }, ...request });
  }

  /** The next response not yet taken (of the type, when given), waiting for it up to the timeout. */
  async next(typeUrl?: string, timeoutMs = 15_000): Promise<DecodedResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((r) => typeUrl === undefined || r.type_url === typeUrl);
      if (index >= 0) return this.received.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${typeUrl ?? 'xDS'} response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
