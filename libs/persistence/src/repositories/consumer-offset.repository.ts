import { serviceKey } from '@lib/domain';
import { queryPrepared, type Queryable } from '../in-transaction';
import { splitServiceKeys } from './service-keys';

export interface TopicPartition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

export interface ProjectedPosition {
  readonly partition: number;
  /** Every offset below this one has been applied. */
  readonly nextOffset: bigint;
  readonly resourceVersion: string;
}

/** The SQLSTATE of `confirm`'s failure (see the migration ExpectFunction1764000015000). */
const PLANNED_STATE_MOVED = 'RGX01';

/**
 * CTEs `locked` (the offset rows of $1 group, $2 topic, $3 partitions) and `counter`, both locked.
 * The counter's lock waits for the offsets' (its WHERE reads them first), taken in the order
 * lockNext takes them: two instances never deadlock.
 */
const LOCK_OFFSETS_AND_COUNTER = `WITH locked AS (
         SELECT partition, next_offset FROM consumer_offsets
          WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[]) ORDER BY partition FOR UPDATE
       ), counter AS (
         SELECT value FROM resource_version_counter WHERE (SELECT count(*) FROM locked) >= 0 FOR UPDATE
       )`;

export const plannedStateMoved = (error: unknown): boolean => (error as { code?: unknown } | undefined)?.code === PLANNED_STATE_MOVED;

export class ConsumerOffsetRepository {
  /**
   * The next offset to apply per partition, with the rows locked (in partition order, so two
   * instances never deadlock) for the rest of the transaction: a second projector that was handed
   * the same partitions during a rebalance waits here and then sees what the first one applied.
   */
  async lockNext(q: Queryable, tps: readonly TopicPartition[]): Promise<Map<number, bigint>> {
    const { groupId, topic, partitions } = oneTopic(tps);
    const lock = async () => {
      const rows: { partition: number; next_offset: string }[] = await q.query(
        `SELECT partition, next_offset FROM consumer_offsets
          WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[]) ORDER BY partition FOR UPDATE`,
        [groupId, topic, partitions],
      );
      return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
    };
    const locked = await lock();
    // A partition's row exists after its first batch: only then does locking take one round trip.
    if (locked.size === partitions.length) return locked;
    await this.ensureRows(q, tps);
    return lock();
  }

  /**
   * Creates the missing offset rows at offset 0, which means what a missing row means (nothing
   * applied), so that the rows exist to be locked. Idempotent; safe outside any transaction.
   */
  async ensureRows(q: Queryable, tps: readonly TopicPartition[]): Promise<void> {
    const { groupId, topic, partitions } = oneTopic(tps);
    await q.query(
      `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, resource_version)
       SELECT $1, $2, p, 0, 0 FROM unnest($3::int[]) AS p ON CONFLICT DO NOTHING`,
      [groupId, topic, partitions],
    );
  }

  /**
   * For a transaction computed before it began, in one round trip: locks the offset rows (as
   * `lockNext`, absent rows are missing from `next`), then the resourceVersion counter (as
   * SliceChangeRepository.lockCounter), and reads the last command of each named service (absent
   * services are missing). The services are read in the statement's snapshot, which may predate a
   * wait for the locks; a writer that committed during that wait applied this partition's offsets
   * and shows in `next`.
   */
  async claim(
    q: Queryable,
    tps: readonly TopicPartition[],
    serviceKeys: readonly string[],
  ): Promise<{ next: Map<number, bigint>; counter: bigint; lastCommands: Map<string, string> }> {
    const { groupId, topic, partitions } = oneTopic(tps);
    const [row] = await queryPrepared<{ offsets: [number, string][]; counter: string; services: [string, string, string][] }[]>(
      q,
      `${LOCK_OFFSETS_AND_COUNTER}
       SELECT (SELECT coalesce(json_agg(json_build_array(partition, next_offset::text)), '[]') FROM locked) AS offsets,
              (SELECT value FROM counter) AS counter,
              (SELECT coalesce(json_agg(json_build_array(s.namespace, s.name, s.last_command_id)), '[]')
                 FROM registry_services s JOIN unnest($4::text[], $5::text[]) AS k(namespace, name)
                   ON s.namespace = k.namespace AND s.name = k.name) AS services`,
      [groupId, topic, partitions, ...splitServiceKeys(serviceKeys)],
    );
    return {
      next: new Map(row.offsets.map(([partition, next]) => [partition, BigInt(next)])),
      counter: BigInt(row.counter),
      lastCommands: new Map(row.services.map(([namespace, name, lastCommandId]) => [serviceKey(namespace, name), lastCommandId])),
    };
  }

  /**
   * The first statement of a transaction planned on the state its writer expects: locks as `claim`
   * does, and fails with PLANNED_STATE_MOVED (rolling the transaction back) unless each partition's
   * next offset is its batch's first (`firsts`, in the order of `tps`; or 0, nothing applied), the
   * counter stands at `counter`, and each service's last command is the expected one (undefined:
   * no such service).
   */
  async confirm(
    q: Queryable,
    tps: readonly TopicPartition[],
    firsts: readonly bigint[],
    counter: bigint,
    lastCommands: ReadonlyMap<string, string | undefined>,
  ): Promise<void> {
    const { groupId, topic, partitions } = oneTopic(tps);
    const [namespaces, names] = splitServiceKeys([...lastCommands.keys()]);
    await queryPrepared(
      q,
      `${LOCK_OFFSETS_AND_COUNTER}
       SELECT registry_expect(
         (SELECT value FROM counter) = $5::bigint
           AND (SELECT count(*) FROM locked l JOIN unnest($3::int[], $4::bigint[]) AS b(partition, first) ON l.partition = b.partition
                 WHERE l.next_offset = b.first OR l.next_offset = 0) = cardinality($3::int[])
           AND (SELECT coalesce(bool_and(s.last_command_id IS NOT DISTINCT FROM k.last_command_id), true)
                  FROM unnest($6::text[], $7::text[], $8::text[]) AS k(namespace, name, last_command_id)
                  LEFT JOIN registry_services s ON s.namespace = k.namespace AND s.name = k.name),
         'the projection moved since this transaction was planned')`,
      [groupId, topic, partitions, firsts.map(String), counter.toString(), namespaces, names, [...lastCommands.values()].map((id) => id ?? null)],
    );
  }

  /** Unlocked read, to decide what to dead-letter before the applying transaction starts; absent = 0. */
  async peekNext(q: Queryable, tps: readonly TopicPartition[]): Promise<Map<number, bigint>> {
    const { groupId, topic, partitions } = oneTopic(tps);
    const rows: { partition: number; next_offset: string }[] = await q.query(
      'SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])',
      [groupId, topic, partitions],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  async advance(q: Queryable, positions: readonly (TopicPartition & { readonly nextOffset: bigint })[], resourceVersion: string): Promise<void> {
    const { groupId, topic, partitions } = oneTopic(positions);
    await q.query(
      `UPDATE consumer_offsets o SET next_offset = p.next_offset, resource_version = greatest(o.resource_version, $5::bigint)
         FROM unnest($3::int[], $4::bigint[]) AS p(partition, next_offset)
        WHERE o.group_id = $1 AND o.topic = $2 AND o.partition = p.partition`,
      [groupId, topic, partitions, positions.map((p) => p.nextOffset.toString()), resourceVersion],
    );
  }

  async positions(q: Queryable, groupId: string, topic: string): Promise<ProjectedPosition[]> {
    const rows: { partition: number; next_offset: string; resource_version: string }[] = await q.query(
      'SELECT partition, next_offset, resource_version FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
      [groupId, topic],
    );
    return rows.map((r) => ({
      partition: r.partition,
      nextOffset: BigInt(r.next_offset),
      resourceVersion: String(r.resource_version),
    }));
  }
}

const oneTopic = (tps: readonly TopicPartition[]): { groupId: string; topic: string; partitions: number[] } => {
  const [{ groupId, topic }] = tps;
  if (tps.some((tp) => tp.groupId !== groupId || tp.topic !== topic)) throw new Error('offsets of one group and topic at a time');
  return { groupId, topic, partitions: tps.map((tp) => tp.partition) };
};
