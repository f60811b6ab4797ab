import { randomUUID } from 'node:crypto';
import { isolatedConfig } from '@lib/testing';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source';
import type { Queryable } from '../in-transaction';
import { CommandOutcomeRepository, type CommandOutcomeRecord } from './command-outcome.repository';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

describe('CommandOutcomeRepository.verdicts (real Postgres)', () => {
  let dataSource: DataSource;
  const outcomes = new CommandOutcomeRepository();

  beforeAll(async () => {
    dataSource = await openDataSource({ url: (await isolatedConfig()).databaseUrl as string });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  const applied = (commandId: string, serviceName: string, resourceVersion: string, parts = 1): CommandOutcomeRecord => ({
    commandId, namespace: 'default', serviceName, parts, status: 'APPLIED', resourceVersion,
  });

  it('settles each command over its parts: applied at its newest version, rejected by any part, pending until every part is judged', async () => {
    await outcomes.record(dataSource.manager, [
      applied('single', 'web', '5'),
      applied('both', 'web', '6', 2),
      applied('both', 'api', '9', 2),
      applied('half', 'web', '7', 2),
      applied('refused', 'web', '8', 2),
      { commandId: 'refused', namespace: 'default', serviceName: 'api', parts: 2, status: 'REJECTED', code: 'NOT_FOUND', field: 'serviceName', message: 'no such service' },
    ]);

    const verdicts = await outcomes.verdicts(dataSource.manager, ['single', 'both', 'half', 'refused', 'unknown']);

    expect(Object.fromEntries(verdicts)).toEqual({
      single: { status: 'APPLIED', resourceVersion: '5' },
      both: { status: 'APPLIED', resourceVersion: '9' },
      half: { status: 'PENDING' },
      refused: { status: 'REJECTED', code: 'NOT_FOUND', field: 'serviceName', message: 'no such service' },
      unknown: { status: 'PENDING' },
    });
  });

  it('looks each command up by its key, not by scanning, while the table has no statistics yet', async () => {
    // Autovacuum would analyze it within a minute; a young database under load is not analyzed yet.
    await dataSource.query(`ALTER TABLE command_outcomes SET (autovacuum_enabled = false)`);
    const many = Array.from({ length: 20_000 }, (_, i) => applied(randomUUID(), `s-${i % 200}`, String(i + 100)));
    await outcomes.record(dataSource.manager, many);
    const [{ never }] = await dataSource.query(`SELECT last_analyze IS NULL AND last_autoanalyze IS NULL AS never FROM pg_stat_user_tables WHERE relname = 'command_outcomes'`);
    expect(never).toBe(true);
    const sent: [string, unknown[]][] = [];
    const capturing = {
      query: async (sql: string, params?: unknown[]) => {
        sent.push([sql, params ?? []]);
        return [];
      },
    } as Queryable;
    await outcomes.verdicts(capturing, many.slice(0, 64).map((o) => o.commandId));

    const [[sql, params]] = sent;
    const [{ 'QUERY PLAN': [{ Plan: plan }] }] = await dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const scans = nodes(plan).filter((node) => node['Relation Name'] === 'command_outcomes');
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
  });
});
