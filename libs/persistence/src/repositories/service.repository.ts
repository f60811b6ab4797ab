import { serviceKey, type ServiceDefinition } from '@lib/domain';
import { queryPrepared, type Queryable } from '../in-transaction';
import { jsonChunks } from './json-chunks';
import { labelSelectorSql, type Page, type PageRequest } from './paging';
import { splitServiceKeys } from './service-keys';

/** A service row: its definition and identity; its endpoints have rows of their own. */
export interface StoredService {
  readonly definition: ServiceDefinition;
  /** Derived from the event that first registered the service; stable across re-registration. */
  readonly uid: string;
  readonly createdAt: string;
  /** The command that changed the service last: what ifServiceVersion is translated to. */
  readonly lastCommandId: string;
  /** resourceVersion of the service's last change (any applied command of the service). */
  readonly resourceVersion: string;
}

interface ServiceRow {
  definition: ServiceDefinition;
  uid: string;
  created_at: string;
  last_command_id: string;
  resource_version: string;
}

const COLUMNS = 'definition, uid, created_at, last_command_id, resource_version';

const toStored = (row: ServiceRow): StoredService => ({
  definition: row.definition,
  uid: row.uid,
  createdAt: row.created_at,
  lastCommandId: row.last_command_id,
  resourceVersion: String(row.resource_version),
});

const LOAD_BY_KEYS = `SELECT s.namespace, s.name, ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')} FROM registry_services s
  JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON s.namespace = k.namespace AND s.name = k.name`;

export class ServiceRepository {
  async get(q: Queryable, namespace: string, name: string): Promise<StoredService | undefined> {
    const rows: ServiceRow[] = await q.query(`SELECT ${COLUMNS} FROM registry_services WHERE namespace = $1 AND name = $2`, [namespace, name]);
    return rows[0] && toStored(rows[0]);
  }

  /** Services of the given `namespace/name` keys; absent keys are missing from the map. */
  async load(q: Queryable, keys: readonly string[]): Promise<Map<string, StoredService>> {
    if (keys.length === 0) return new Map();
    const rows = await queryPrepared<(ServiceRow & { namespace: string; name: string })[]>(q, LOAD_BY_KEYS, splitServiceKeys(keys));
    return new Map(rows.map((row) => [serviceKey(row.namespace, row.name), toStored(row)]));
  }

  async save(q: Queryable, services: readonly StoredService[]): Promise<void> {
    for (const chunk of jsonChunks(services)) {
      await q.query(
        `INSERT INTO registry_services (namespace, name, labels, definition, uid, created_at, last_command_id, resource_version)
         SELECT s.definition->>'namespace', s.definition->>'name', s.definition->'labels', s.definition, s.uid, s."createdAt",
                s."lastCommandId", s."resourceVersion"::bigint
           FROM jsonb_to_recordset($1::jsonb) AS s(definition jsonb, uid text, "createdAt" text, "lastCommandId" text, "resourceVersion" text)
         ON CONFLICT (namespace, name) DO UPDATE SET labels = EXCLUDED.labels, definition = EXCLUDED.definition,
           last_command_id = EXCLUDED.last_command_id, resource_version = EXCLUDED.resource_version`,
        [chunk],
      );
    }
  }

  /** Deletes the services and every endpoint row they held. */
  async delete(q: Queryable, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const params = splitServiceKeys(keys);
    await q.query(
      `DELETE FROM registry_endpoints e USING unnest($1::text[], $2::text[]) AS k(namespace, name)
        WHERE e.namespace = k.namespace AND e.service_name = k.name`,
      params,
    );
    await q.query(
      `DELETE FROM registry_services s USING unnest($1::text[], $2::text[]) AS k(namespace, name)
        WHERE s.namespace = k.namespace AND s.name = k.name`,
      params,
    );
  }

  /** Counts without reading definitions: `services { totalCount }` costs one index scan. */
  async count(q: Queryable, request: Pick<PageRequest, 'namespaces' | 'selector'>): Promise<number> {
    const params: unknown[] = [];
    const [row]: { total: string }[] = await q.query(`SELECT count(*) AS total FROM registry_services WHERE ${filterSql(request, params)}`, params);
    return Number(row.total);
  }

  async page(q: Queryable, request: PageRequest): Promise<Omit<Page<StoredService>, 'totalCount'>> {
    const params: unknown[] = [];
    const where = filterSql(request, params);
    const after = request.after
      ? `(namespace, name) > ($${params.push(request.after.namespace)}, $${params.push(request.after.name)})`
      : 'true';
    const rows: (ServiceRow & { namespace: string; name: string })[] = await q.query(
      `SELECT namespace, name, ${COLUMNS} FROM registry_services
        WHERE ${where} AND ${after} ORDER BY namespace, name LIMIT $${params.push(request.first + 1)}`,
      params,
    );
    return {
      items: rows.slice(0, request.first).map((r) => ({ key: { namespace: r.namespace, name: r.name }, node: toStored(r) })),
      hasNextPage: rows.length > request.first,
    };
  }
}

const filterSql = (request: Pick<PageRequest, 'namespaces' | 'selector'>, params: unknown[]): string =>
  [
    request.namespaces ? `namespace = ANY($${params.push(request.namespaces)}::text[])` : 'true',
    request.selector ? labelSelectorSql(request.selector, 'labels', params) : 'true',
  ].join(' AND ');
