import type { KubernetesEndpointSlice } from '@lib/domain';
import type { WatchItem } from '../watch/watch-stream';
import { toEndpointSliceTable, type IncludeObject } from './endpoint-slice-table';
import { toKubernetesStatus } from './kubernetes-status';
import { matchesFields, type ListOptions } from './list-options';

export interface WatchEncoding {
  readonly fields: Pick<ListOptions, 'name' | 'namespace'>;
  /** Set when the client asked for Table objects (kubectl get -w). */
  readonly table?: { readonly include: IncludeObject; readonly now: () => number };
}

export const errorLine = (error: unknown): string => `${JSON.stringify({ type: 'ERROR', object: toKubernetesStatus(error) })}\n`;

/**
 * Turns the watch stream's items into the lines of a Kubernetes watch: one `{"type","object"}`
 * JSON per line. undefined: nothing to send for this item (another name than the fieldSelector's).
 */
export const watchEncoder = (encoding: WatchEncoding): ((item: WatchItem) => string | undefined) => {
  let columnsSent = false;
  return (item) => {
    if (item instanceof Error) return errorLine(item);
    if (item.type === 'BOOKMARK' || !item.object) {
      // A bookmark carries only the kind and the resourceVersion (apiserver watch bookmarks).
      return `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: item.resourceVersion } } })}\n`;
    }
    // The change feed's objects are toKubernetesObject's output (endpoint-slice.mapper): the same JSON as a list.
    const slice = item.object as unknown as KubernetesEndpointSlice;
    if (!matchesFields(encoding.fields, slice.metadata)) return undefined;
    if (!encoding.table) return `${JSON.stringify({ type: item.type, object: slice })}\n`;
    const table = toEndpointSliceTable([slice], { now: encoding.table.now(), include: encoding.table.include, withColumns: !columnsSent });
    columnsSent = true;
    return `${JSON.stringify({ type: item.type, object: table })}\n`;
  };
};
