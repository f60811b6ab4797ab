import type { Queryable } from '../in-transaction';

/**
 * Request ids claimed by the API before it appends: a repeat of an intent finds the first
 * command instead of appending again. Only requests that carry an id pay for this row.
 */
export class CommandRequestRepository {
  /** The command already appended under this request id, or undefined when this call claimed it for `commandId`. */
  async claim(q: Queryable, requestId: string, commandId: string): Promise<string | undefined> {
    const claimed: unknown[] = await q.query(
      `INSERT INTO command_requests (request_id, command_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING request_id`,
      [requestId, commandId],
    );
    if (claimed.length > 0) return undefined;
    const [row]: { command_id: string }[] = await q.query('SELECT command_id FROM command_requests WHERE request_id = $1', [requestId]);
    return row?.command_id ?? commandId;
  }

  /** Nothing was appended: the intent may be sent again under the same id. */
  async release(q: Queryable, requestId: string, commandId: string): Promise<void> {
    await q.query('DELETE FROM command_requests WHERE request_id = $1 AND command_id = $2', [requestId, commandId]);
  }

  async compact(q: Queryable, olderThanSeconds: number): Promise<void> {
    await q.query(`DELETE FROM command_requests WHERE created_at < now() - make_interval(secs => $1)`, [olderThanSeconds]);
  }
}
