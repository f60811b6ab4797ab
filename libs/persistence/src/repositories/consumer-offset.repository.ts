import type { Queryable } from '../in-transaction';

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

export class ConsumerOffsetRepository {
  /**
   * The next offset to apply, with the row locked for the rest of the transaction: a second
   * projector that was handed the same partition during a rebalance waits here and then sees
   * what the first one applied.
   */
  async lockNext(q: Queryable, tp: TopicPartition): Promise<bigint> {
    await q.query(
      `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, resource_version)
       VALUES ($1, $2, $3, 0, 0) ON CONFLICT DO NOTHING`,
      [tp.groupId, tp.topic, tp.partition],
    );
    const [row]: { next_offset: string }[] = await q.query(
      `SELECT next_offset FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [tp.groupId, tp.topic, tp.partition],
    );
    return BigInt(row.next_offset);
  }

  /** Unlocked read, to decide what to dead-letter before the applying transaction starts. */
  async peekNext(q: Queryable, tp: TopicPartition): Promise<bigint> {
    const rows: { next_offset: string }[] = await q.query(
      'SELECT next_offset FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3',
      [tp.groupId, tp.topic, tp.partition],
    );
    return rows.length > 0 ? BigInt(rows[0].next_offset) : 0n;
  }

  async advance(q: Queryable, tp: TopicPartition, nextOffset: bigint, resourceVersion: string): Promise<void> {
    await q.query(
      `UPDATE consumer_offsets SET next_offset = $4, resource_version = greatest(resource_version, $5::bigint)
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [tp.groupId, tp.topic, tp.partition, nextOffset.toString(), resourceVersion],
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
