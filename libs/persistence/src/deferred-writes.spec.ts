import { combineStatements, DeferredWrites } from './deferred-writes';

describe('combineStatements', () => {
  it('turns writes into CTEs and selects into subqueries, renumbering parameters in order', () => {
    const combined = combineStatements([
      { sql: 'INSERT INTO a SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(v int)', params: ['[]'] },
      { sql: 'UPDATE b SET v = $2 WHERE k = $1', params: ['k', 2] },
      { sql: "SELECT pg_notify('c', $1)", params: ['7'] },
      { sql: '  delete FROM d WHERE k = $1', params: ['x'] },
    ]);
    expect(combined.sql).toBe(
      'WITH w0 AS (INSERT INTO a SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(v int)), w1 AS (UPDATE b SET v = $3 WHERE k = $2), ' +
        "w2 AS (  delete FROM d WHERE k = $5) SELECT 1 FROM (SELECT pg_notify('c', $4)) AS s0",
    );
    expect(combined.params).toEqual(['[]', 'k', 2, '7', 'x']);
  });

  it('is a plain SELECT 1 around writes alone', () => {
    expect(combineStatements([{ sql: 'DELETE FROM a WHERE k = $1', params: [1] }])).toEqual({ sql: 'WITH w0 AS (DELETE FROM a WHERE k = $1) SELECT 1', params: [1] });
  });
});

describe('DeferredWrites', () => {
  const recorder = () => {
    const sent: { sql: string; params: unknown[] }[] = [];
    return { sent, target: { query: async (sql: string, params: unknown[] = []) => void sent.push({ sql, params }) } };
  };

  it('sends nothing until flushed, then everything in one statement, and nothing on an empty flush', async () => {
    const { sent, target } = recorder();
    const writes = new DeferredWrites(target as never);
    await writes.query('INSERT INTO a VALUES ($1)', [1]);
    await writes.query('INSERT INTO b VALUES ($1)', [2]);
    expect(sent).toHaveLength(0);
    await writes.flush();
    await writes.flush();
    expect(sent).toEqual([{ sql: 'WITH w0 AS (INSERT INTO a VALUES ($1)), w1 AS (INSERT INTO b VALUES ($2)) SELECT 1', params: [1, 2] }]);
  });

  it('flushes by itself once the held parameters grow large, so memory stays bounded', async () => {
    const { sent, target } = recorder();
    const writes = new DeferredWrites(target as never);
    await writes.query('INSERT INTO a SELECT * FROM jsonb_array_elements($1::jsonb)', ['x'.repeat(1024 * 1024)]);
    expect(sent).toHaveLength(0);
    await writes.query('INSERT INTO b SELECT * FROM jsonb_array_elements($1::jsonb)', ['y'.repeat(1024 * 1024)]);
    expect(sent).toHaveLength(0);
    await writes.query('INSERT INTO c SELECT * FROM jsonb_array_elements($1::jsonb)', ['z'.repeat(1024)]);
    // Flushed before the statement that would pass 2 MiB, which waits for the next flush.
    expect(sent.map((s) => s.params.length)).toEqual([2]);
  });

  it('sends a JSON chunk given to several statements once, and holds it once', async () => {
    const { sent, target } = recorder();
    const writes = new DeferredWrites(target as never);
    const chunk = JSON.stringify(Array.from({ length: 120_000 }, (_, i) => ({ i })));
    await writes.query('INSERT INTO a SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(i int)', [chunk]);
    await writes.query('UPDATE b SET n = $2 FROM jsonb_to_recordset($1::jsonb) AS c(i int) WHERE b.i = c.i', [chunk, 7]);
    await writes.query('DELETE FROM c USING jsonb_to_recordset($1::jsonb) AS c(i int) WHERE $2', [chunk, true]);
    expect(chunk.length).toBeGreaterThan(1024 * 1024);
    expect(sent).toHaveLength(0);
    await writes.flush();
    expect(sent).toEqual([
      {
        sql:
          'WITH w0 AS (INSERT INTO a SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(i int)), ' +
          'w1 AS (UPDATE b SET n = $2 FROM jsonb_to_recordset($1::jsonb) AS c(i int) WHERE b.i = c.i), ' +
          'w2 AS (DELETE FROM c USING jsonb_to_recordset($1::jsonb) AS c(i int) WHERE $3) SELECT 1',
        params: [chunk, 7, true],
      },
    ]);
  });

  it('refuses a statement with a WITH clause of its own (Postgres would refuse the combination)', async () => {
    const writes = new DeferredWrites(recorder().target as never);
    await expect(writes.query('WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x')).rejects.toThrow('WITH clause');
  });
});
