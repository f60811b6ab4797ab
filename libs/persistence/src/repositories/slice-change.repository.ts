import type { EndpointSlice } from '@lib/domain';
import type { Queryable } from '../in-transaction';

export type SliceChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SliceChange {
  readonly type: SliceChangeType;
  readonly slice: EndpointSlice;
  readonly resourceVersion: string;
  readonly eventIds: readonly string[];
}

export class SliceChangeRepository {
  /**
   * Reserves `count` consecutive resourceVersions. The counter row stays locked until the caller's
   * transaction commits, so a transaction holding higher numbers can only commit after every
   * transaction holding lower ones: readers of "changes after N" never skip a late commit.
   * Call it as the last step before commit to keep the lock short.
   */
  async reserve(q: Queryable, count: number): Promise<bigint> {
    const [row]: { value: string }[] = await q.query(
      // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE ... RETURNING.
      'WITH bumped AS (UPDATE resource_version_counter SET value = value + $1 RETURNING value) SELECT value FROM bumped',
      [count],
    );
    return BigInt(row.value) - BigInt(count) + 1n;
  }

  async append(q: Queryable, changes: readonly SliceChange[]): Promise<void> {
    if (changes.length === 0) return;
    await q.query(
      `INSERT INTO slice_changes (resource_version, type, namespace, name, service_name, object, event_ids)
       SELECT (c.rv)::bigint, c.type, c.slice->>'namespace', c.slice->>'name',
              c.slice->'labels'->>'kubernetes.io/service-name', c.slice, c.event_ids
         FROM jsonb_to_recordset($1::jsonb) AS c(rv text, type text, slice jsonb, event_ids text[])`,
      [
        JSON.stringify(
          changes.map((c) => ({ rv: c.resourceVersion, type: c.type, slice: c.slice, event_ids: c.eventIds })),
        ),
      ],
    );
  }

  async latest(q: Queryable): Promise<string> {
    const [row]: { value: string }[] = await q.query('SELECT value FROM resource_version_counter');
    return String(row.value);
  }
}
