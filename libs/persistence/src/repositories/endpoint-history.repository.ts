import type { Queryable } from '../in-transaction';
import { jsonChunks } from './json-chunks';

export interface EndpointHistoryEntry {
  readonly namespace: string;
  readonly serviceName: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly type: string;
  readonly time: string;
  readonly actor: string;
  readonly data: unknown;
  readonly resourceVersions: readonly string[];
}

export class EndpointHistoryRepository {
  async append(q: Queryable, entries: readonly EndpointHistoryEntry[]): Promise<void> {
    for (const chunk of jsonChunks(entries)) {
      await q.query(
      `INSERT INTO endpoint_history (namespace, service_name, endpoint_id, event_id, type, time, actor, data, resource_versions)
       SELECT e.namespace, e."serviceName", e."endpointId", e."eventId", e.type, e.time, e.actor, e.data, e."resourceVersions"
         FROM jsonb_to_recordset($1::jsonb) AS e(namespace text, "serviceName" text, "endpointId" text, "eventId" text,
              type text, time timestamptz, actor text, data jsonb, "resourceVersions" text[])`,
      [chunk],
      );
    }
  }

  /** The last `count` entries of one endpoint, oldest first. */
  async last(q: Queryable, key: { namespace: string; serviceName: string; endpointId: string }, count: number): Promise<EndpointHistoryEntry[]> {
    const rows: { event_id: string; type: string; time: Date; actor: string; data: unknown; resource_versions: string[] }[] = await q.query(
      `SELECT * FROM (
         SELECT seq, event_id, type, time, actor, data, resource_versions FROM endpoint_history
          WHERE namespace = $1 AND service_name = $2 AND endpoint_id = $3 ORDER BY seq DESC LIMIT $4
       ) recent ORDER BY seq`,
      [key.namespace, key.serviceName, key.endpointId, count],
    );
    return rows.map((r) => ({
      ...key,
      eventId: r.event_id,
      type: r.type,
      time: r.time.toISOString(),
      actor: r.actor,
      data: r.data,
      resourceVersions: r.resource_versions,
    }));
  }
}
