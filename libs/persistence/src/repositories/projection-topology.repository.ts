import type { Queryable } from '../in-transaction';

export class ProjectionTopologyRepository {
  /** The partition count the projection was built with: `current` the first time, the stored one after. */
  async recordOnce(q: Queryable, groupId: string, topic: string, current: number): Promise<number> {
    await q.query(
      'INSERT INTO projection_topology (group_id, topic, partitions) VALUES ($1, $2, $3) ON CONFLICT (group_id, topic) DO NOTHING',
      [groupId, topic, current],
    );
    const [row]: { partitions: number }[] = await q.query('SELECT partitions FROM projection_topology WHERE group_id = $1 AND topic = $2', [groupId, topic]);
    return row.partitions;
  }

  /** A rebuild starts over: the next projector start records the topic as it is then. */
  async forget(q: Queryable, groupId: string, topic: string): Promise<void> {
    await q.query('DELETE FROM projection_topology WHERE group_id = $1 AND topic = $2', [groupId, topic]);
  }
}
