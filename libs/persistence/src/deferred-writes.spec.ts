import { combineStatements, DeferredWrites } from './deferred-writes';
import { MAX_CHUNK_CHARS } from './repositories/json-chunks';

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

  it('sends a Buffer given to several statements once, and equal Buffers that are not the same object each', () => {
    const packed = Buffer.from([1, 2, 3]);
    const combined = combineStatements([
      { sql: 'INSERT INTO a VALUES ($1::bytea, $2)', params: [packed, 'x'] },
      { sql: 'INSERT INTO b VALUES ($1::bytea, $2::bytea)', params: [packed, Buffer.from([1, 2, 3])] },
    ]);
    expect(combined.sql).toBe('WITH w0 AS (INSERT INTO a VALUES ($1::bytea, $2)), w1 AS (INSERT INTO b VALUES ($1::bytea, $3::bytea)) SELECT 1');
    expect(combined.params).toHaveLength(3);
    expect(combined.params[0]).toBe(packed);
    expect(combined.params[2]).not.toBe(packed);
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
    await writes.query('INSERT INTO a SELECT * FROM jsonb_array_elements($1::jsonb)', ['x'.repeat(MAX_CHUNK_CHARS / 2)]);
    expect(sent).toHaveLength(0);
    await writes.query('INSERT INTO b SELECT * FROM jsonb_array_elements($1::jsonb)', ['y'.repeat(MAX_CHUNK_CHARS / 2)]);
    expect(sent).toHaveLength(0);
    await writes.query('INSERT INTO c SELECT * FROM jsonb_array_elements($1::jsonb)', ['z'.repeat(1024)]);
    // Sent before the statement that would pass the bound, which waits for the next flush.
    expect(sent.map((s) => s.params.length)).toEqual([2]);
  });

  it('sends a JSON chunk given to several statements once, and holds it once', async () => {
    const { sent, target } = recorder();
    const writes = new DeferredWrites(target as never);
    const chunk = JSON.stringify(Array.from({ length: MAX_CHUNK_CHARS / 16 }, (_, i) => ({ i })));
    await writes.query('INSERT INTO a SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(i int)', [chunk]);
    await writes.query('UPDATE b SET n = $2 FROM jsonb_to_recordset($1::jsonb) AS c(i int) WHERE b.i = c.i', [chunk, 7]);
    await writes.query('DELETE FROM c USING jsonb_to_recordset($1::jsonb) AS c(i int) WHERE $2', [chunk, true]);
    expect(chunk.length).toBeGreaterThan(MAX_CHUNK_CHARS / 2);
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

  it('does not wait for a statement sent at the bound, sends the next only after it ran, and flush waits for both', async () => {
    const running: { sql: string; done: () => void }[] = [];
    const target = { query: (sql: string) => new Promise<void>((resolve) => running.push({ sql, done: resolve })) };
    const writes = new DeferredWrites(target as never);
    const big = (table: string) => writes.query(`INSERT INTO ${table} SELECT * FROM jsonb_array_elements($1::jsonb)`, [table.repeat(Math.ceil(MAX_CHUNK_CHARS * 0.6))]);
    await big('a');
    await big('b');
    // The caller goes on building rows while Postgres runs the first statement.
    expect(running.map((r) => r.sql)).toEqual([expect.stringContaining('INSERT INTO a')]);
    const third = big('c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toHaveLength(1);
    running[0].done();
    await third;
    expect(running.map((r) => r.sql)).toEqual([expect.stringContaining('INSERT INTO a'), expect.stringContaining('INSERT INTO b')]);
    let flushed = false;
    const flush = writes.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toHaveLength(2);
    running[1].done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(running.map((r) => r.sql)[2]).toContain('INSERT INTO c');
    expect(flushed).toBe(false);
    running[2].done();
    await flush;
    expect(flushed).toBe(true);
  });

  it('fails the flush when a statement sent at the bound failed', async () => {
    let calls = 0;
    const target = { query: async () => { if (calls++ === 0) throw new Error('deadlock detected'); } };
    const writes = new DeferredWrites(target as never);
    await writes.query('INSERT INTO a SELECT * FROM jsonb_array_elements($1::jsonb)', ['x'.repeat(MAX_CHUNK_CHARS)]);
    await writes.query('INSERT INTO b VALUES ($1)', [1]);
    await expect(writes.flush()).rejects.toThrow('deadlock detected');
    expect(calls).toBe(1);
  });

  it('refuses a statement with a WITH clause of its own (Postgres would refuse the combination)', async () => {
    const writes = new DeferredWrites(recorder().target as never);
    await expect(writes.query('WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x')).rejects.toThrow('WITH clause');
  });
});
