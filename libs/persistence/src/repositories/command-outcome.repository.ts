import { queryPrepared, type Queryable } from '../in-transaction';
import { jsonChunks } from './json-chunks';

export type CommandStatus = 'PENDING' | 'APPLIED' | 'REJECTED';

/** The projector's verdict on one service's part of a command, stored with the projection. */
export interface CommandOutcomeRecord {
  readonly commandId: string;
  readonly namespace: string;
  readonly serviceName: string;
  /** How many services the command spans: a command is settled once every part has a verdict. */
  readonly parts: number;
  readonly status: 'APPLIED' | 'REJECTED';
  readonly code?: string;
  readonly field?: string;
  readonly message?: string;
  /** Applied: the resourceVersion of the command's last change. */
  readonly resourceVersion?: string;
}

/** A command's verdict over all its parts. */
export interface CommandVerdict {
  readonly status: CommandStatus;
  readonly resourceVersion?: string;
  readonly code?: string;
  readonly field?: string;
  readonly message?: string;
}

interface OutcomeRow {
  command_id: string;
  namespace: string;
  service_name: string;
  parts: number;
  status: 'APPLIED' | 'REJECTED';
  code: string | null;
  field: string | null;
  message: string | null;
  resource_version: string | null;
}

export class CommandOutcomeRepository {
  async record(q: Queryable, outcomes: readonly CommandOutcomeRecord[]): Promise<void> {
    for (const chunk of jsonChunks(outcomes)) {
      // A redelivered batch judges again, identically: the first verdict stands.
      await q.query(
        `INSERT INTO command_outcomes (command_id, namespace, service_name, parts, status, code, field, message, resource_version)
         SELECT o."commandId", o.namespace, o."serviceName", o.parts, o.status, o.code, o.field, o.message, o."resourceVersion"::bigint
           FROM jsonb_to_recordset($1::jsonb) AS o("commandId" text, namespace text, "serviceName" text, parts int, status text,
                                                   code text, field text, message text, "resourceVersion" text)
         ON CONFLICT DO NOTHING`,
        [chunk],
      );
    }
  }

  /** Verdicts of the given commands; a command with no (or not all) parts judged yet is PENDING. */
  async verdicts(q: Queryable, commandIds: readonly string[]): Promise<Map<string, CommandVerdict>> {
    const rows: OutcomeRow[] = commandIds.length === 0
      ? []
      : // One primary-key lookup per id, however the planner estimates the table: before its first
        // ANALYZE (a young, busy database) it took `command_id = ANY($1)` for a third of the rows
        // and scanned them all. OFFSET 0 keeps the lookup a subquery of its own, run per id.
        await queryPrepared<OutcomeRow[]>(
          q,
          `SELECT o.command_id, o.namespace, o.service_name, o.parts, o.status, o.code, o.field, o.message, o.resource_version
             FROM unnest($1::text[]) AS w(command_id)
             CROSS JOIN LATERAL (SELECT * FROM command_outcomes c WHERE c.command_id = w.command_id OFFSET 0) o
            ORDER BY o.namespace, o.service_name`,
          [commandIds],
        );
    const byCommand = new Map<string, OutcomeRow[]>();
    for (const row of rows) byCommand.set(row.command_id, [...(byCommand.get(row.command_id) ?? []), row]);
    return new Map(commandIds.map((id) => [id, settle(byCommand.get(id) ?? [])]));
  }

  async compact(q: Queryable, olderThanSeconds: number): Promise<void> {
    await q.query(`DELETE FROM command_outcomes WHERE recorded_at < now() - make_interval(secs => $1)`, [olderThanSeconds]);
  }
}

/** The verdict of a command that spans one service, from that part's outcome (as `settle` gives it). */
export const singlePartVerdict = (outcome: CommandOutcomeRecord): CommandVerdict =>
  outcome.status === 'REJECTED'
    ? { status: 'REJECTED', code: outcome.code ?? 'CONFLICT', message: outcome.message ?? '', ...(outcome.field !== undefined && { field: outcome.field }) }
    : { status: 'APPLIED', resourceVersion: BigInt(outcome.resourceVersion ?? '0').toString() };

// A rejected part settles the command as rejected (the caller hears the first); otherwise it is
// applied once every part is, at the newest resourceVersion among them.
const settle = (rows: readonly OutcomeRow[]): CommandVerdict => {
  const rejected = rows.find((r) => r.status === 'REJECTED');
  if (rejected) {
    return {
      status: 'REJECTED',
      code: rejected.code ?? 'CONFLICT',
      message: rejected.message ?? '',
      ...(rejected.field !== null && { field: rejected.field }),
    };
  }
  if (rows.length === 0 || rows.length < rows[0].parts) return { status: 'PENDING' };
  const versions = rows.map((r) => BigInt(r.resource_version ?? '0'));
  return { status: 'APPLIED', resourceVersion: versions.reduce((a, b) => (a > b ? a : b)).toString() };
};
