import type { LoggerService } from '@nestjs/common';
import type { XdsMetrics } from '../metrics/xds-metrics';
import { AdsSubscriptions, type DiscoveryRequest, type DiscoveryResponse } from './ads-subscriptions';
import type { XdsType } from './resource-types';
import type { XdsCatalog } from './xds-catalog';

export interface AdsSessionOptions {
  readonly catalog: XdsCatalog;
  /** The caller's namespace read scopes: resources of other namespaces do not exist for it. */
  readonly canRead: (namespace: string) => boolean;
  readonly send: (response: DiscoveryResponse) => void;
  readonly metrics: XdsMetrics;
  readonly logger: LoggerService;
  /** Who is at the other end, for the logs: the peer address and the token's name. */
  readonly peer: string;
  readonly principal: string;
}

/** Node ids are the client's to choose: logged, but never more than this. */
const MAX_LOGGED_NODE_ID = 200;

/**
 * One ADS stream: answers requests, and pushes a type again whenever a change of a service it
 * covers changes what the stream would be sent. Changes that arrive together (one projector
 * transaction touching many slices) are coalesced into one push per type.
 */
export class AdsSession {
  private readonly subscriptions = new AdsSubscriptions();
  private readonly dirty = new Set<XdsType>();
  private flushing?: NodeJS.Immediate;
  private nodeId = '';

  constructor(private readonly options: AdsSessionOptions) {}

  receive(request: DiscoveryRequest & { readonly node?: { readonly id?: string } | null }): void {
    if (request.node?.id) this.nodeId = request.node.id.slice(0, MAX_LOGGED_NODE_ID);
    const outcome = this.subscriptions.receive(request);
    switch (outcome.kind) {
      case 'unknown-type':
        this.options.logger.debug?.({ msg: 'xDS request for a resource type this server does not serve', typeUrl: outcome.typeUrl.slice(0, 200), ...this.who() });
        return;
      case 'stale':
        return;
      case 'nack':
        // Counted and logged once; the rejected state is not sent again, only a later one.
        this.options.metrics.rejected(outcome.type);
        this.options.logger.warn({ msg: 'xDS client rejected a response (NACK)', type: outcome.type, version: outcome.version, error: outcome.message, ...this.who() });
        break;
      case 'ack':
      case 'subscribe':
        break;
      default:
        outcome satisfies never;
    }
    if (outcome.respond) this.push(outcome.type, true);
  }

  /** A service's slices changed. */
  serviceChanged(serviceKey: string): void {
    for (const type of this.subscriptions.subscribedTypes()) {
      if (this.subscriptions.covers(type, serviceKey)) this.dirty.add(type);
    }
    if (this.dirty.size > 0) this.flushing ??= setImmediate(() => this.flush());
  }

  close(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.dirty.clear();
  }

  private flush(): void {
    this.flushing = undefined;
    const types = [...this.dirty];
    this.dirty.clear();
    for (const type of types) this.push(type, false);
  }

  private push(type: XdsType, always: boolean): void {
    const subscription = this.subscriptions.subscription(type);
    if (!subscription) return;
    const { catalog } = this.options;
    const resources = catalog.resources(type, subscription, this.options.canRead);
    const response = this.subscriptions.respond(type, resources, catalog.version, always);
    if (!response) return;
    this.options.send(response);
    this.options.metrics.pushed(type);
  }

  private who(): Record<string, string> {
    return { peer: this.options.peer, principal: this.options.principal, node: this.nodeId };
  }
}
