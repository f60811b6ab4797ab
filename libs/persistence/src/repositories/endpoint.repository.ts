import { serviceKey, type EndpointDefinition, type EndpointLease } from '@lib/domain';
import { queryPrepared, type Queryable } from '../in-transaction';
import { jsonChunks } from './json-chunks';
import { splitServiceKey, splitServiceKeys } from './service-keys';

/** An endpoint row: what the log made of it, and which command changed it last. */
export interface StoredEndpoint {
  readonly definition: EndpointDefinition;
  readonly lease?: EndpointLease;
  readonly lastCommandId: string;
  readonly resourceVersion: string;
}

export interface EndpointKey {
  readonly namespace: string;
  readonly serviceName: string;
  readonly id: string;
}

interface EndpointRow {
  namespace: string;
  service_name: string;
  definition: EndpointDefinition;
  lease: EndpointLease | null;
  last_command_id: string;
  resource_version: string;
}

/** One JSON array per service: definition, lease, last command and resourceVersion of each endpoint. */
const AGGREGATED_ENDPOINTS = 'json_agg(json_build_array(e.definition, e.lease, e.last_command_id, e.resource_version::text)) AS endpoints';

interface AggregatedRow {
  readonly namespace: string;
  readonly service_name: string;
  readonly endpoints: [EndpointDefinition, EndpointLease | null, string, string][];
}

const byService = (keys: readonly string[], rows: readonly AggregatedRow[]): Map<string, Map<string, StoredEndpoint>> => {
  const result = new Map<string, Map<string, StoredEndpoint>>(keys.map((key) => [key, new Map()]));
  for (const row of rows) {
    const endpoints = result.get(serviceKey(row.namespace, row.service_name));
    for (const [definition, lease, lastCommandId, resourceVersion] of row.endpoints) {
      endpoints?.set(definition.id, toStored({ definition, lease, last_command_id: lastCommandId, resource_version: resourceVersion }));
    }
  }
  return result;
};

/**
 * A stored endpoint built as one literal: copying a record with `{ ...record, lastCommandId }`
 * gives every copy a hidden class of its own in V8 (about 190 bytes each, and megamorphic reads
 * wherever endpoints are read), which for a projector holding 50,000 endpoints was 10 MB.
 */
export const storedEndpoint = (
  record: { readonly definition: EndpointDefinition; readonly lease?: EndpointLease | null },
  lastCommandId: string,
  resourceVersion: string,
): StoredEndpoint =>
  record.lease == null
    ? { definition: record.definition, lastCommandId, resourceVersion }
    : { definition: record.definition, lease: record.lease, lastCommandId, resourceVersion };

const toStored = (row: Pick<EndpointRow, 'definition' | 'lease' | 'last_command_id' | 'resource_version'>): StoredEndpoint =>
  storedEndpoint(row, row.last_command_id, String(row.resource_version));

export class EndpointRepository {
  /**
   * Every endpoint of the services, by service key then id: what the projector loads for a command
   * on a whole service. One row per service with its endpoints as one JSON array: a cold load reads
   * 100 rows per 100-endpoint service otherwise, and the client's per-row work is most of its cost.
   */
  async forServices(q: Queryable, keys: readonly string[]): Promise<Map<string, Map<string, StoredEndpoint>>> {
    if (keys.length === 0) return new Map();
    return byService(
      keys,
      await q.query(
        `SELECT e.namespace, e.service_name, ${AGGREGATED_ENDPOINTS}
           FROM registry_endpoints e
           JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON e.namespace = k.namespace AND e.service_name = k.name
          GROUP BY e.namespace, e.service_name`,
        splitServiceKeys(keys),
      ),
    );
  }

  /**
   * Of each service, the endpoints named and every endpoint with more than one address: what the
   * projector loads for commands on some endpoints (only an endpoint with several addresses can sit
   * in a slice in an address order its definition no longer has). Found server-side, so a cold
   * load of a large service reads the endpoints the commands need, not the service.
   */
  async namedOrMultiAddress(q: Queryable, requests: readonly { readonly key: string; readonly ids: readonly string[] }[]): Promise<Map<string, Map<string, StoredEndpoint>>> {
    if (requests.length === 0) return new Map();
    const named = requests.flatMap((r) => r.ids.map((id) => ({ id, ...splitServiceKey(r.key) })));
    return byService(
      requests.map((r) => r.key),
      await q.query(
        `SELECT e.namespace, e.service_name, ${AGGREGATED_ENDPOINTS}
           FROM registry_endpoints e
           JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON e.namespace = k.namespace AND e.service_name = k.name
          WHERE jsonb_array_length(e.definition->'addresses') > 1
             OR (e.namespace, e.service_name, e.id) IN (SELECT * FROM unnest($3::text[], $4::text[], $5::text[]))
          GROUP BY e.namespace, e.service_name`,
        [...splitServiceKeys(requests.map((r) => r.key)), named.map((k) => k.namespace), named.map((k) => k.name), named.map((k) => k.id)],
      ),
    );
  }

  /** Only the endpoints named, by service key then id: an index lookup, whatever the services hold. */
  async named(q: Queryable, requests: readonly { readonly key: string; readonly ids: readonly string[] }[]): Promise<Map<string, Map<string, StoredEndpoint>>> {
    const result = new Map<string, Map<string, StoredEndpoint>>(requests.map((r) => [r.key, new Map()]));
    const keys = requests.flatMap((r) => r.ids.map((id) => ({ id, ...splitServiceKey(r.key) })));
    if (keys.length === 0) return result;
    const rows = await queryPrepared<EndpointRow[]>(
      q,
      `SELECT e.namespace, e.service_name, e.definition, e.lease, e.last_command_id, e.resource_version FROM registry_endpoints e
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(namespace, name, id)
           ON e.namespace = k.namespace AND e.service_name = k.name AND e.id = k.id`,
      [keys.map((k) => k.namespace), keys.map((k) => k.name), keys.map((k) => k.id)],
    );
    for (const row of rows) result.get(serviceKey(row.namespace, row.service_name))?.set(row.definition.id, toStored(row));
    return result;
  }

  async save(q: Queryable, endpoints: readonly (StoredEndpoint & { readonly namespace: string; readonly serviceName: string })[]): Promise<void> {
    for (const chunk of jsonChunks(endpoints)) {
      await q.query(
        `INSERT INTO registry_endpoints (namespace, service_name, id, definition, lease, last_command_id, resource_version)
         SELECT e.namespace, e."serviceName", e.definition->>'id', e.definition, e.lease, e."lastCommandId", e."resourceVersion"::bigint
           FROM jsonb_to_recordset($1::jsonb) AS e(namespace text, "serviceName" text, definition jsonb, lease jsonb, "lastCommandId" text, "resourceVersion" text)
         ON CONFLICT (namespace, service_name, id) DO UPDATE SET definition = EXCLUDED.definition, lease = EXCLUDED.lease,
           last_command_id = EXCLUDED.last_command_id, resource_version = EXCLUDED.resource_version`,
        [chunk],
      );
    }
  }

  async delete(q: Queryable, keys: readonly EndpointKey[]): Promise<void> {
    if (keys.length === 0) return;
    await q.query(
      `DELETE FROM registry_endpoints e USING unnest($1::text[], $2::text[], $3::text[]) AS k(namespace, name, id)
        WHERE e.namespace = k.namespace AND e.service_name = k.name AND e.id = k.id`,
      [keys.map((k) => k.namespace), keys.map((k) => k.serviceName), keys.map((k) => k.id)],
    );
  }
}
