import { serviceKey } from '@lib/domain';
import type { XdsType } from './resource-types';

/**
 * Resource names (PRODUCT.md, "Envoy xDS"): a proxyless gRPC client dials
 * `xds:///<service>.<namespace>`, which names the listener and its route configuration; clusters
 * and their load assignments are `<namespace>/<service>/<port name or number>`. Namespaces and
 * service names are DNS labels (no dots, no slashes), so every name parses back to one service.
 */
export const listenerName = (namespace: string, service: string): string => `${service}.${namespace}`;

export const clusterName = (namespace: string, service: string, port: string): string => `${namespace}/${service}/${port}`;

/** The `namespace/service` key a listener or route configuration name belongs to. */
export const serviceKeyOfListener = (name: string): string | undefined => {
  const parts = name.split('.');
  return parts.length === 2 && parts[0] && parts[1] ? serviceKey(parts[1], parts[0]) : undefined;
};

/** The `namespace/service` key a cluster or load assignment name belongs to. */
export const serviceKeyOfCluster = (name: string): string | undefined => {
  const parts = name.split('/');
  return parts.length === 3 && parts[0] && parts[1] && parts[2] ? serviceKey(parts[0], parts[1]) : undefined;
};

export const namespaceOfServiceKey = (key: string): string => key.slice(0, key.indexOf('/'));

/** The `namespace/service` key a resource of this type and name belongs to, if the name is one of ours. */
export const serviceKeyOfResource = (type: XdsType, name: string): string | undefined =>
  type === 'LDS' || type === 'RDS' ? serviceKeyOfListener(name) : serviceKeyOfCluster(name);
