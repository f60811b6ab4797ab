import { Client } from 'pg';
import { closedLoop, type LoopResult } from '../lib/loops';
import { endpointAddress, endpointValue, serviceName, sha256, sliceObject } from '../lib/payload';

export interface PgSliceParams {
  readonly url: string;
  /** Distinct slices the updates rotate over (each update changes a different slice than the previous `slices - 1`). */
  readonly slices: number;
  readonly endpointsPerSlice: number;
  readonly count: number;
  readonly durationMs: number;
}

/**
 * Raw node-postgres upsert of EndpointSlice-shaped rows (100 endpoints of JSONB, about 20 KB, with a
 * sha256 guard), one statement per change, sequential: the rows the projector writes, without the
 * projector (performance.md §2.6). Each change flips one endpoint of the next slice, re-serializes
 * and re-hashes it, as a recompute would.
 */
export const pgSliceUpsert = async (p: PgSliceParams): Promise<LoopResult & { rowBytes: number }> => {
  const client = new Client({ connectionString: p.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE baseline_slice (name text PRIMARY KEY, svc text NOT NULL, body jsonb NOT NULL, hash text NOT NULL, gen int NOT NULL)`);
    await client.query(`CREATE INDEX ON baseline_slice (svc)`);
    const slices = Array.from({ length: p.slices }, (_, i) => sliceObject('bench', serviceName(i), i, p.endpointsPerSlice));
    const upsert = {
      name: 'baseline-slice-upsert',
      text: `INSERT INTO baseline_slice (name, svc, body, hash, gen) VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, hash = EXCLUDED.hash, gen = baseline_slice.gen + 1
             WHERE baseline_slice.hash <> EXCLUDED.hash`,
    };
    const write = async (i: number): Promise<boolean> => {
      const slice = slices[i % p.slices];
      if (i >= p.slices) {
        const endpoint = slice.endpoints[Math.floor(i / p.slices) % slice.endpoints.length];
        endpoint.zone = `zone-${i}`;
        slice.metadata.generation++;
      }
      const body = JSON.stringify(slice);
      await client.query({ ...upsert, values: [slice.metadata.name, slice.metadata.labels['kubernetes.io/service-name'], body, sha256(body)] });
      return true;
    };
    // Insert pass (not timed), then the timed update pass.
    for (let i = 0; i < p.slices; i++) await write(i);
    const rowBytes = JSON.stringify(slices[0]).length;
    const result = await closedLoop({ concurrency: 1, count: p.count, durationMs: p.durationMs }, (i) => write(p.slices + i));
    return { ...result, rowBytes };
  } finally {
    await client.end();
  }
};

export interface PgMultiRowParams {
  readonly url: string;
  readonly rows: number;
  readonly rowsPerStatement: number;
  readonly durationMs: number;
}

/** Raw multi-row upsert of 207 B endpoint rows, `rowsPerStatement` per statement, sequential: an insert pass then an update pass. */
export const pgMultiRowUpsert = async (p: PgMultiRowParams): Promise<LoopResult & { rowsPerSecond: number; rows: number }> => {
  const client = new Client({ connectionString: p.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE baseline_ep (id text PRIMARY KEY, svc text NOT NULL, body jsonb NOT NULL, gen int NOT NULL)`);
    await client.query(`CREATE INDEX ON baseline_ep (svc)`);
    const values = Array.from({ length: p.rowsPerStatement }, (_, r) => `($${r * 3 + 1}, $${r * 3 + 2}, $${r * 3 + 3}, 1)`).join(', ');
    const text = `INSERT INTO baseline_ep (id, svc, body, gen) VALUES ${values}
                  ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, gen = baseline_ep.gen + 1`;
    const statements = Math.floor(p.rows / p.rowsPerStatement);
    const result = await closedLoop({ concurrency: 1, count: statements * 2, durationMs: p.durationMs }, async (s) => {
      const generation = s < statements ? 1 : 2;
      const params: string[] = [];
      for (let r = 0; r < p.rowsPerStatement; r++) {
        const index = (s % statements) * p.rowsPerStatement + r;
        const service = serviceName(Math.floor(index / 100));
        params.push(endpointAddress(4, index), service, endpointValue('bench', service, index, generation));
      }
      await client.query({ name: 'baseline-multi-row', text, values: params });
      return true;
    });
    const rows = result.ops * p.rowsPerStatement;
    return { ...result, rows, rowsPerSecond: rows / result.seconds };
  } finally {
    await client.end();
  }
};
