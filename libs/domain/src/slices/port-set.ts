import { compareText } from './compare-text';
import type { SlicePort } from './endpoint-slice';

const comparePorts = (a: SlicePort, b: SlicePort): number =>
  compareText(a.name, b.name) ||
  compareText(a.protocol, b.protocol) ||
  a.port - b.port ||
  compareText(a.appProtocol ?? '', b.appProtocol ?? '');

// k8s orders ports by element hash (order carries no meaning); any total order will do as long
// as it is the same on every run.
export const sortPorts = (ports: readonly SlicePort[]): SlicePort[] => [...ports].sort(comparePorts);

const keyOf = (ports: readonly SlicePort[]): string =>
  JSON.stringify(sortPorts(ports).map((p) => [p.name, p.protocol, p.port, p.appProtocol ?? null]));

/**
 * Keys by list: slices keep their (immutable) ports list from version to version and share it
 * within a port group, and every command buckets all slices of its service by key (for one
 * 50,000-endpoint service, 500 keys per command were 4% of a replaying projector).
 */
const keys = new WeakMap<readonly SlicePort[], string>();
const NO_PORTS = keyOf([]);

// k8s NewPortMapKey: same set of (name, protocol, port, appProtocol) => same key, whatever the
// order, and a missing list equals an empty one (#133474, fixed by #136502).
export const portSetKey = (ports: readonly SlicePort[] | undefined): string => {
  if (ports === undefined) return NO_PORTS;
  let key = keys.get(ports);
  if (key === undefined) {
    key = keyOf(ports);
    keys.set(ports, key);
  }
  return key;
};
