import { Client } from 'pg';

/** Drops the databases this run created; topics stay (they are cheap and prefixed by the run id). */
export default async function globalTeardown(): Promise<void> {
  const client = new Client({ connectionString: process.env.TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `registry_t_${process.env.TEST_RUN_ID}_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
