import { SERVICE_NAME_LABEL, type EndpointSlice } from '@lib/domain';

/** One entry of Prometheus' http_sd_configs answer. */
export interface PrometheusTargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

const hostPort = (addressType: EndpointSlice['addressType'], address: string, port: number): string =>
  addressType === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`;

/**
 * One target group per ready endpoint and port, as Prometheus' kubernetes_sd "endpointslice" role
 * yields one target per endpoint port. A dual-stack endpoint sits in an IPv4 and an IPv6 slice;
 * its addresses join one group, keyed by namespace, service, endpoint id and port name.
 */
export const toPrometheusTargetGroups = (slices: readonly EndpointSlice[], portName?: string): PrometheusTargetGroup[] => {
  const groups = new Map<string, PrometheusTargetGroup>();
  for (const slice of slices) {
    const service = slice.labels[SERVICE_NAME_LABEL];
    for (const endpoint of slice.endpoints) {
      if (!endpoint.conditions.ready) continue;
      for (const port of slice.ports) {
        if (portName !== undefined && port.name !== portName) continue;
        const key = JSON.stringify([slice.namespace, service, endpoint.targetRef.name, port.name]);
        const group = groups.get(key) ?? {
          targets: [],
          labels: {
            __meta_registry_namespace: slice.namespace,
            __meta_registry_service: service,
            __meta_registry_endpoint: endpoint.targetRef.name,
            __meta_registry_port_name: port.name,
            ...(endpoint.zone !== undefined ? { __meta_registry_zone: endpoint.zone } : {}),
            ...(endpoint.nodeName !== undefined ? { __meta_registry_node_name: endpoint.nodeName } : {}),
            ...(endpoint.hostname !== undefined ? { __meta_registry_hostname: endpoint.hostname } : {}),
          },
        };
        group.targets.push(...endpoint.addresses.map((address) => hostPort(slice.addressType, address, port.port)));
        groups.set(key, group);
      }
    }
  }
  // Slice names decide the order slices come in; sorting makes the answer depend on content only.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups.entries()].sort(([a], [b]) => byText(a, b)).map(([, group]) => ({ ...group, targets: group.targets.sort(byText) }));
};
