import type { EndpointSlice } from '@lib/domain';
import type { Queryable } from '../in-transaction';
import type { CommandOutcomeRecord } from './command-outcome.repository';
import { commitNoticePayload } from './commit-notice';
import { packSlice, unpackSlice } from './packed-slice';
import { jsonWithEndpointsOf } from './slice-change-json';

export type SliceChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SliceChange {
  readonly type: SliceChangeType;
  readonly slice: EndpointSlice;
  readonly resourceVersion: string;
  readonly eventIds: readonly string[];
}

export const PROJECTION_COMMITS_CHANNEL = 'registry_projection_commits';

/** One statement shape for every write: this many slice parameters, the unused ones null. */
const SLICES_PER_STATEMENT = 32;

/** A change's columns but its object, for jsonb_to_recordset: small beside the slice it describes. */
const changeRow = (c: SliceChange) => ({
  rv: c.resourceVersion,
  type: c.type,
  namespace: c.slice.namespace,
  name: c.slice.name,
  address_type: c.slice.addressType,
  labels: c.slice.labels,
  event_ids: c.eventIds,
});

/** The changes ($1) joined by position with their slices' JSON ($2 ...), as c and s. */
const CHANGES_WITH_OBJECTS = `ROWS FROM (jsonb_to_recordset($1::jsonb) AS (rv text, type text, namespace text, name text, address_type text, labels jsonb, event_ids text[]))
  WITH ORDINALITY AS c(rv, type, namespace, name, address_type, labels, event_ids, i)
  JOIN (VALUES ${Array.from({ length: SLICES_PER_STATEMENT }, (_, i) => `(${i + 1}, $${i + 2}::bytea)`).join(', ')}) AS s(i, object) ON s.i = c.i`;

export class SliceChangeRepository {
  /**
   * The counter's value, with its row locked until the caller's transaction ends: the
   * resourceVersions after it are the transaction's to take (see takeVersions). A transaction
   * holding higher numbers can therefore only commit after every transaction holding lower ones:
   * readers of "changes after N" never skip a late commit. Take it late to keep the lock short.
   */
  async lockCounter(q: Queryable): Promise<bigint> {
    const [row]: { value: string }[] = await q.query('SELECT value FROM resource_version_counter FOR UPDATE');
    return BigInt(row.value);
  }

  /**
   * Moves the locked counter from `from` to `latest`, the last resourceVersion the transaction
   * took. A plain statement, so a DeferredWrites can send it with the transaction's other rows.
   */
  async takeVersions(q: Queryable, from: string, latest: string): Promise<void> {
    if (latest !== from) await q.query('UPDATE resource_version_counter SET value = $1', [latest]);
  }

  /**
   * Records the changes in the change log and applies them to the slice table. Plain statements
   * without a WITH of their own, so a DeferredWrites can send them with the transaction's other
   * rows. Each slice is a parameter of its own, sent once for both statements, packed as both
   * tables store (see packSlice). Run it after `lockCounter`.
   */
  async record(q: Queryable, changes: readonly SliceChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += SLICES_PER_STATEMENT) {
      const group = changes.slice(i, i + SLICES_PER_STATEMENT);
      const objects: (Buffer | null)[] = group.map((c) => packSlice(jsonWithEndpointsOf(c, c.slice)));
      while (objects.length < SLICES_PER_STATEMENT) objects.push(null);
      const params = [JSON.stringify(group.map(changeRow)), ...objects];
      await q.query(
        `INSERT INTO slice_changes (resource_version, type, namespace, name, service_name, object, event_ids)
         SELECT c.rv::bigint, c.type, c.namespace, c.name, c.labels->>'kubernetes.io/service-name', s.object, c.event_ids FROM ${CHANGES_WITH_OBJECTS}`,
        params,
      );
      await q.query(
        `INSERT INTO endpoint_slices (namespace, name, service_name, address_type, labels, resource_version, object)
         SELECT c.namespace, c.name, c.labels->>'kubernetes.io/service-name', c.address_type, c.labels, c.rv::bigint, s.object
           FROM ${CHANGES_WITH_OBJECTS} WHERE c.type <> 'DELETED'
         ON CONFLICT (namespace, name) DO UPDATE SET
           service_name = EXCLUDED.service_name, address_type = EXCLUDED.address_type, labels = EXCLUDED.labels,
           resource_version = EXCLUDED.resource_version, object = EXCLUDED.object`,
        params,
      );
      if (!group.some((c) => c.type === 'DELETED')) continue;
      await q.query(
        `DELETE FROM endpoint_slices s USING jsonb_to_recordset($1::jsonb) AS c(type text, namespace text, name text)
          WHERE c.type = 'DELETED' AND s.namespace = c.namespace AND s.name = c.name`,
        [params[0]],
      );
    }
  }

  /**
   * Wakes every API replica listening on real Postgres (new changes, new offsets, verdicts); sent
   * only on commit. The commit took the resourceVersions after `from` through `latest`; its
   * verdicts and changes ride along when they fit a notification (see CommitNotice).
   */
  async announce(q: Queryable, from: string, latest: string, changes: readonly SliceChange[], outcomes: readonly CommandOutcomeRecord[]): Promise<void> {
    await q.query(`SELECT pg_notify('${PROJECTION_COMMITS_CHANNEL}', $1)`, [commitNoticePayload(from, latest, changes, outcomes)]);
  }

  /** Changes with afterRv < resourceVersion <= throughRv, in order; optionally one namespace/service. */
  async readRange(
    q: Queryable,
    range: { afterRv: bigint; throughRv?: bigint; limit: number; namespace?: string; serviceName?: string },
  ): Promise<SliceChange[]> {
    const params: unknown[] = [range.afterRv.toString()];
    const where = [
      'resource_version > $1',
      range.throughRv !== undefined ? `resource_version <= $${params.push(range.throughRv.toString())}` : 'true',
      range.namespace !== undefined ? `namespace = $${params.push(range.namespace)}` : 'true',
      range.serviceName !== undefined ? `service_name = $${params.push(range.serviceName)}` : 'true',
    ].join(' AND ');
    const rows: { resource_version: string; type: SliceChangeType; object: Buffer; event_ids: string[] }[] = await q.query(
      `SELECT resource_version, type, object, event_ids FROM slice_changes WHERE ${where}
        ORDER BY resource_version LIMIT $${params.push(range.limit)}`,
      params,
    );
    return rows.map((r) => ({ type: r.type, slice: unpackSlice(r.object), resourceVersion: String(r.resource_version), eventIds: r.event_ids }));
  }

  async watchState(q: Queryable): Promise<{ compactedThrough: bigint; relayedThrough: bigint }> {
    const [row]: { compacted_through: string; relayed_through: string }[] = await q.query(
      'SELECT compacted_through, relayed_through FROM watch_state',
    );
    return { compactedThrough: BigInt(row.compacted_through), relayedThrough: BigInt(row.relayed_through) };
  }

  async markRelayed(q: Queryable, throughRv: string): Promise<void> {
    await q.query('UPDATE watch_state SET relayed_through = greatest(relayed_through, $1::bigint)', [throughRv]);
  }

  /**
   * Drops changes recorded more than `historySeconds` ago that are already relayed (when a relay
   * runs), and raises the watermark below which a watch cannot resume.
   */
  async compact(q: Queryable, historySeconds: number, keepUnrelayed: boolean): Promise<number> {
    const [row]: { deleted: string }[] = await q.query(
      `WITH doomed AS (
         DELETE FROM slice_changes
          WHERE recorded_at < now() - make_interval(secs => $1)
            AND (NOT $2 OR resource_version <= (SELECT relayed_through FROM watch_state))
         RETURNING resource_version
       ), bumped AS (
         UPDATE watch_state SET compacted_through = greatest(compacted_through, coalesce((SELECT max(resource_version) FROM doomed), 0))
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM doomed) AS deleted, (SELECT count(*) FROM bumped) AS bumped`,
      [historySeconds, keepUnrelayed],
    );
    return Number(row.deleted);
  }

  async latest(q: Queryable): Promise<string> {
    const [row]: { value: string }[] = await q.query('SELECT value FROM resource_version_counter');
    return String(row.value);
  }
}
