import { serviceKey, type ServiceState } from '@lib/domain';
import type { Queryable } from '../in-transaction';
import { labelSelectorSql, type Page, type PageRequest } from './paging';
import { splitServiceKey, splitServiceKeys } from './service-keys';
import { jsonChunks } from './json-chunks';

interface ServiceRow {
  namespace: string;
  name: string;
  state: ServiceState;
}

export class RegistryStateRepository {
  async get(q: Queryable, namespace: string, name: string): Promise<ServiceState | undefined> {
    const rows: ServiceRow[] = await q.query(
      'SELECT namespace, name, state FROM registry_services WHERE namespace = $1 AND name = $2',
      [namespace, name],
    );
    return rows[0]?.state;
  }

  /** States of the given `namespace/name` keys; absent keys are simply missing from the map. */
  async load(q: Queryable, keys: readonly string[]): Promise<Map<string, ServiceState>> {
    if (keys.length === 0) return new Map();
    const rows: ServiceRow[] = await q.query(
      `SELECT s.namespace, s.name, s.state FROM registry_services s
         JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON s.namespace = k.namespace AND s.name = k.name`,
      splitServiceKeys(keys),
    );
    return new Map(rows.map((row) => [serviceKey(row.namespace, row.name), row.state]));
  }

  /**
   * What deciding a command needs: each service's definition and identity, but only the endpoints
   * the commands name, so a mutation does not load a service's whole endpoint set.
   */
  async loadForDecision(
    q: Queryable,
    requests: readonly { readonly key: string; readonly endpointIds: readonly string[] }[],
  ): Promise<Map<string, ServiceState>> {
    if (requests.length === 0) return new Map();
    const rows: ServiceRow[] = await q.query(
      `SELECT s.namespace, s.name,
              jsonb_build_object(
                'definition', s.state->'definition', 'uid', s.state->'uid', 'createdAt', s.state->'createdAt',
                'endpoints', coalesce((SELECT jsonb_object_agg(id, s.state->'endpoints'->id) FROM unnest(r.ids) AS id
                                        WHERE s.state->'endpoints' ? id), '{}'::jsonb)) AS state
         FROM registry_services s
         JOIN jsonb_to_recordset($1::jsonb) AS r(namespace text, name text, ids text[]) ON s.namespace = r.namespace AND s.name = r.name`,
      [JSON.stringify(requests.map((r) => ({ ...splitServiceKey(r.key), ids: r.endpointIds })))],
    );
    return new Map(rows.map((row) => [serviceKey(row.namespace, row.name), row.state]));
  }

  async save(q: Queryable, states: ReadonlyMap<string, ServiceState | undefined>): Promise<void> {
    const present = [...states.values()].filter((s): s is ServiceState => s !== undefined);
    const removed = [...states.entries()].filter(([, s]) => s === undefined).map(([key]) => key);
    for (const chunk of jsonChunks(present)) {
      await q.query(
        `INSERT INTO registry_services (namespace, name, state, labels)
         SELECT s->'definition'->>'namespace', s->'definition'->>'name', s, s->'definition'->'labels'
           FROM jsonb_array_elements($1::jsonb) AS s
         ON CONFLICT (namespace, name) DO UPDATE SET state = EXCLUDED.state, labels = EXCLUDED.labels`,
        [chunk],
      );
    }
    if (removed.length > 0) {
      await q.query(
        `DELETE FROM registry_services s USING unnest($1::text[], $2::text[]) AS k(namespace, name)
          WHERE s.namespace = k.namespace AND s.name = k.name`,
        splitServiceKeys(removed),
      );
    }
  }

  async page(q: Queryable, request: PageRequest): Promise<Page<ServiceState>> {
    const params: unknown[] = [];
    const where = [
      request.namespaces ? `namespace = ANY($${params.push(request.namespaces)}::text[])` : 'true',
      request.selector ? labelSelectorSql(request.selector, 'labels', params) : 'true',
    ].join(' AND ');
    const after = request.after
      ? `(namespace, name) > ($${params.push(request.after.namespace)}, $${params.push(request.after.name)})`
      : 'true';
    const [row]: { total: string; page: ServiceRow[] }[] = await q.query(
      `WITH matching AS (SELECT namespace, name, state FROM registry_services WHERE ${where})
       SELECT (SELECT count(*) FROM matching) AS total,
              (SELECT coalesce(jsonb_agg(p ORDER BY p.namespace, p.name), '[]') FROM (
                 SELECT * FROM matching WHERE ${after} ORDER BY namespace, name LIMIT $${params.push(request.first + 1)}
              ) p) AS page`,
      params,
    );
    return {
      items: row.page.slice(0, request.first).map((r) => ({ key: { namespace: r.namespace, name: r.name }, node: r.state })),
      hasNextPage: row.page.length > request.first,
      totalCount: Number(row.total),
    };
  }
}
