import type { EndpointSlice } from '@lib/domain';
import type { Subscription } from './ads-subscriptions';
import { namespaceOfServiceKey, serviceKeyOfResource } from './resource-names';
import type { XdsResource, XdsType } from './resource-types';
import { NO_RESOURCES, serviceResources, type ServiceResources } from './service-resources';

/** What the catalog reads: the in-memory slice view (list-then-watch over the change feed). */
export interface SliceSource {
  readonly resourceVersion: bigint;
  slicesOf(namespace: string, service: string): readonly EndpointSlice[];
  serviceKeys(): IterableIterator<string>;
  onChange(listener: (serviceKey: string, resourceVersion: bigint) => void): () => void;
}

/**
 * Every service's xDS resources, built from its slices when first asked for and kept until the
 * service changes, so that many streams watching one service share one build per change.
 */
export class XdsCatalog {
  private readonly built = new Map<string, ServiceResources>();
  private readonly listeners = new Set<(serviceKey: string) => void>();
  private readonly stopWatching: () => void;

  constructor(private readonly slices: SliceSource) {
    this.stopWatching = slices.onChange((key) => {
      // Forget first: a listener that rebuilds at once must see the change.
      this.built.delete(key);
      for (const listener of this.listeners) listener(key);
    });
  }

  /** The resourceVersion every resource handed out reflects. */
  get version(): string {
    return this.slices.resourceVersion.toString();
  }

  /** Called with the `namespace/service` key after each change of a service's slices. */
  onChange(listener: (serviceKey: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The subscribed resources of one type that exist, by name, from the namespaces `canRead`
   * admits: a resource of any other namespace is served as if it did not exist.
   */
  resources(type: XdsType, subscription: Subscription, canRead: (namespace: string) => boolean): Map<string, XdsResource> {
    const found = new Map<string, XdsResource>();
    if (subscription.wildcard) {
      for (const key of this.slices.serviceKeys()) {
        if (canRead(namespaceOfServiceKey(key))) for (const [name, resource] of this.of(key)[type]) found.set(name, resource);
      }
    }
    for (const name of subscription.names) {
      const key = serviceKeyOfResource(type, name);
      if (key === undefined || !canRead(namespaceOfServiceKey(key))) continue;
      const resource = this.of(key)[type].get(name);
      if (resource) found.set(name, resource);
    }
    return found;
  }

  close(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private of(key: string): ServiceResources {
    const cached = this.built.get(key);
    if (cached) return cached;
    const [namespace, service] = key.split('/');
    const slices = this.slices.slicesOf(namespace, service);
    // Names come from clients: only services that exist are remembered, so made-up names cost nothing.
    if (slices.length === 0) return NO_RESOURCES;
    const resources = serviceResources(namespace, service, slices);
    this.built.set(key, resources);
    return resources;
  }
}
