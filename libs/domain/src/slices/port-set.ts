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

// k8s NewPortMapKey: same set of (name, protocol, port, appProtocol) => same key, whatever the
// order, and a missing list equals an empty one (#133474, fixed by #136502).
export const portSetKey = (ports: readonly SlicePort[] | undefined): string =>
  JSON.stringify(sortPorts(ports ?? []).map((p) => [p.name, p.protocol, p.port, p.appProtocol ?? null]));
