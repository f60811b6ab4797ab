import { serviceKey, type AddressType, type EndpointSlice } from '@lib/domain';
import type { Queryable } from '../in-transaction';
import { unpackSlice } from './packed-slice';
import { splitServiceKeys } from './service-keys';
import { labelSelectorSql, type Page, type PageRequest } from './paging';

/** A slice as stored: the object plus the resourceVersion of its last write. */
export interface StoredSlice {
  readonly slice: EndpointSlice;
  readonly resourceVersion: string;
}

export interface SlicePageRequest extends PageRequest {
  readonly serviceName?: string;
  readonly addressType?: AddressType;
}

export interface SlicePage extends Page<StoredSlice> {
  /** The latest resourceVersion this page reflects (same snapshot): list-then-watch from it. */
  readonly resourceVersion: string;
}

interface SliceRow {
  object: Buffer;
  resource_version: string;
}

const toStored = (row: SliceRow): StoredSlice => ({ slice: unpackSlice(row.object), resourceVersion: String(row.resource_version) });

export class EndpointSliceRepository {
  async get(q: Queryable, namespace: string, name: string): Promise<StoredSlice | undefined> {
    const rows: SliceRow[] = await q.query(
      'SELECT object, resource_version FROM endpoint_slices WHERE namespace = $1 AND name = $2',
      [namespace, name],
    );
    return rows[0] && toStored(rows[0]);
  }

  /** Existing slices of each `namespace/service` key, in name order (the reconciler's "list order"). */
  async forServices(q: Queryable, keys: readonly string[]): Promise<Map<string, StoredSlice[]>> {
    const result = new Map<string, StoredSlice[]>(keys.map((key) => [key, []]));
    if (keys.length === 0) return result;
    const rows: (SliceRow & { namespace: string; service_name: string })[] = await q.query(
      `SELECT s.namespace, s.service_name, s.object, s.resource_version FROM endpoint_slices s
         JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON s.namespace = k.namespace AND s.service_name = k.name
        ORDER BY s.namespace, s.service_name, s.name`,
      splitServiceKeys(keys),
    );
    for (const row of rows) result.get(serviceKey(row.namespace, row.service_name))?.push(toStored(row));
    return result;
  }

  /** Every slice of a namespace/service (either optional) and the resourceVersion they reflect, in one snapshot. */
  async snapshot(
    q: Queryable,
    filter: { namespace?: string; serviceName?: string },
  ): Promise<{ slices: StoredSlice[]; resourceVersion: string }> {
    const params: unknown[] = [];
    const where = [
      filter.namespace !== undefined ? `namespace = $${params.push(filter.namespace)}` : 'true',
      filter.serviceName !== undefined ? `service_name = $${params.push(filter.serviceName)}` : 'true',
    ].join(' AND ');
    // One statement, one snapshot: the slices and the counter agree. The one-row outer side keeps
    // the counter when no slice matches.
    const rows: (Partial<SliceRow> & { rv: string })[] = await q.query(
      `SELECT c.rv, s.object, s.resource_version
         FROM (SELECT value AS rv FROM resource_version_counter) c
         LEFT JOIN LATERAL (SELECT namespace, name, object, resource_version FROM endpoint_slices WHERE ${where}) s ON true
        ORDER BY s.namespace, s.name`,
      params,
    );
    return {
      slices: rows.filter((r): r is SliceRow & { rv: string } => r.object != null).map(toStored),
      resourceVersion: String(rows[0].rv),
    };
  }

  async page(q: Queryable, request: SlicePageRequest): Promise<SlicePage> {
    const params: unknown[] = [];
    const where = [
      request.namespaces ? `namespace = ANY($${params.push(request.namespaces)}::text[])` : 'true',
      request.serviceName ? `service_name = $${params.push(request.serviceName)}` : 'true',
      request.addressType ? `address_type = $${params.push(request.addressType)}` : 'true',
      request.selector ? labelSelectorSql(request.selector, 'labels', params) : 'true',
    ].join(' AND ');
    const after = request.after
      ? `(namespace, name) > ($${params.push(request.after.namespace)}, $${params.push(request.after.name)})`
      : 'true';
    // One statement, one snapshot: the rows and the counter agree, so a watch from this
    // resourceVersion neither misses nor repeats a change. Rows come back as rows (no aggregate to
    // build and re-serialize); the one-row outer side keeps total and counter for an empty page.
    const rows: (Partial<SliceRow> & { total: string; rv: string; namespace: string | null; name: string | null })[] = await q.query(
      `SELECT c.total, c.rv, p.namespace, p.name, p.object, p.resource_version
         FROM (SELECT (SELECT count(*) FROM endpoint_slices WHERE ${where}) AS total,
                      (SELECT value FROM resource_version_counter) AS rv) c
         LEFT JOIN LATERAL (
           SELECT namespace, name, object, resource_version FROM endpoint_slices
            WHERE ${where} AND ${after} ORDER BY namespace, name LIMIT $${params.push(request.first + 1)}
         ) p ON true`,
      params,
    );
    const page = rows.filter((r): r is SliceRow & { total: string; rv: string; namespace: string; name: string } => r.name !== null);
    return {
      items: page
        .slice(0, request.first)
        .map((r) => ({ key: { namespace: r.namespace, name: r.name }, node: toStored(r) })),
      hasNextPage: page.length > request.first,
      totalCount: Number(rows[0].total),
      resourceVersion: String(rows[0].rv),
    };
  }
}
