import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError, REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { canRead } from '@lib/domain';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { ApiError } from '../graphql/format-error';
import { XdsMetrics } from '../metrics/xds-metrics';
import { SliceView } from '../slice-view/slice-view';
import { AdsSession } from './ads-session';
import type { DiscoveryRequest } from './ads-subscriptions';
import { ResourceEncoder, type EncodedResponse } from './resource-encoder';
import { XdsCatalog } from './xds-catalog';
import { loadAdsService } from './xds-protos';

type AdsCall = ServerDuplexStream<DiscoveryRequest, EncodedResponse>;

interface OpenStream {
  readonly principal: Principal;
  end(code: status, details: string): void;
}

/** Refusals as gRPC statuses: what a client library reports, and what it retries. */
const GRPC_STATUS: Readonly<Record<string, status>> = {
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  FORBIDDEN: status.PERMISSION_DENIED,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
};

/**
 * Responses waiting for a client that does not read: beyond this the stream ends (the client
 * reconnects and gets the current state in one response per type) instead of buffering without
 * bound. A healthy client has a few in flight.
 */
const MAX_QUEUED_RESPONSES = 64;

/** grpc-js reports the peer as `address:port`, IPv6 without brackets; the rate limiter keys on the address. */
const peerAddress = (peer: string): string => (peer.includes(':') ? peer.slice(0, peer.lastIndexOf(':')) : peer);

const listenAddress = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** grpc-js wraps the listen errors in one message; the variable to change comes first. */
const bindError = (address: string, error: Error): ConfigError =>
  new ConfigError(
    error.message.includes('EADDRINUSE')
      ? `XDS_PORT: ${address} is already in use; choose a free port, or 0 to turn xDS off`
      : `XDS_PORT: cannot listen on ${address} (${error.message}); choose another port or HOST, or 0 to turn xDS off`,
  );

/**
 * Envoy's aggregated discovery service (ADS, v3, state of the world) on XDS_PORT: listeners,
 * routes, clusters and load assignments from the in-memory slice view, pushed on every change of
 * a subscribed resource. Each stream authenticates once with the `authorization` metadata, as
 * every other transport does, and sees only the namespaces its token may read; a revoked token's
 * streams end at once.
 */
@Injectable()
export class XdsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('XdsServer');
  private readonly streams = new Set<OpenStream>();
  private server?: Server;
  private catalog?: Promise<XdsCatalog>;
  private stopWatchingRevocations?: () => void;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(SliceView) private readonly view: SliceView,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(XdsMetrics) private readonly metrics: XdsMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.xdsPort === 0) return;
    await this.listen(this.config.xdsPort);
  }

  /** Binds the server; a port in use stops the start with a message naming XDS_PORT. */
  private async listen(port: number): Promise<void> {
    const server = new Server({
      // A client that vanished without closing its connection is noticed and its stream dropped.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    });
    const ads = loadAdsService();
    const encoder = new ResourceEncoder(ads);
    server.addService(ads, {
      StreamAggregatedResources: (call: AdsCall) => void this.open(call, encoder),
      DeltaAggregatedResources: (call: AdsCall) =>
        call.emit('error', { code: status.UNIMPLEMENTED, details: 'incremental xDS is not served: use the state-of-the-world StreamAggregatedResources' }),
    });
    const address = listenAddress(this.config.host, port);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(bindError(address, error)) : resolve(boundPort),
      ),
    );
    this.server = server;
    this.stopWatchingRevocations = this.access.onRevoked((tokenIds) => this.endRevoked(tokenIds));
    // Loaded now so the first client does not wait; a failure is retried by the next stream.
    this.catalogReady().catch((error: unknown) => this.logger.warn({ msg: 'xDS slice view failed to load, will retry', error: (error as Error).message }));
    this.logger.log({ msg: 'xDS (ADS) listening', address: listenAddress(this.config.host, bound) });
  }

  private catalogReady(): Promise<XdsCatalog> {
    this.catalog ??= this.view.start().then(
      () => new XdsCatalog(this.view),
      (error: unknown) => {
        this.catalog = undefined;
        throw error;
      },
    );
    return this.catalog;
  }

  private async open(call: AdsCall, encoder: ResourceEncoder): Promise<void> {
    const peer = call.getPeer();
    let principal: Principal;
    let catalog: XdsCatalog;
    try {
      principal = await this.access.authenticate(call.metadata.get('authorization')[0], peerAddress(peer));
      catalog = await this.catalogReady();
    } catch (error) {
      const code = error instanceof ApiError ? (GRPC_STATUS[error.code] ?? status.UNAVAILABLE) : status.UNAVAILABLE;
      call.emit('error', { code, details: (error as Error).message });
      return;
    }
    let closed = false;
    const stream: OpenStream = {
      principal,
      end: (code, details) => {
        if (!closed) call.emit('error', { code, details });
      },
    };
    const session = new AdsSession({
      catalog,
      canRead: (namespace) => canRead(principal.scopes, namespace),
      send: (response) => {
        if (closed) return;
        call.write(encoder.response(response));
        if (call.writableLength > MAX_QUEUED_RESPONSES) stream.end(status.RESOURCE_EXHAUSTED, `client too slow: more than ${MAX_QUEUED_RESPONSES} responses unread`);
      },
      metrics: this.metrics,
      logger: this.logger,
      peer,
      principal: principal.name,
    });
    const stopWatching = catalog.onChange((key) => session.serviceChanged(key));
    const close = () => {
      if (closed) return;
      closed = true;
      stopWatching();
      session.close();
      this.streams.delete(stream);
      this.metrics.streams.dec();
    };
    this.streams.add(stream);
    this.metrics.streams.inc();
    call.on('data', (request: DiscoveryRequest) => session.receive(request));
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('error', close);
    call.on('close', close);
  }

  private endRevoked(tokenIds: readonly string[]): void {
    for (const stream of this.streams) {
      if (stream.principal.tokenId !== undefined && tokenIds.includes(stream.principal.tokenId)) stream.end(status.UNAUTHENTICATED, 'token revoked');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopWatchingRevocations?.();
    for (const stream of this.streams) stream.end(status.UNAVAILABLE, 'the registry is shutting down');
    const catalog = await this.catalog?.catch(() => undefined);
    catalog?.close();
    this.server?.forceShutdown();
  }
}
