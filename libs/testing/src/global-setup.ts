import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Checks that the real services are there before any integration test runs, and gives the run
 * an id that every database and topic name of this run carries, so runs never see each other.
 */
export default async function globalSetup(): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const adminUrl = (process.env.TEST_DATABASE_ADMIN_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres');
  const brokers = (process.env.TEST_KAFKA_BROKERS ??= '127.0.0.1:9092');
  // Processes the tests spawn (embedded, dev loop, built roles) inherit this: several of them at
  // once must not all try the default xDS port.
  process.env.XDS_PORT ??= '0';
  process.env.TEST_RUN_ID ??= `${Date.now().toString(36)}${process.pid.toString(36)}`;

  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`Postgres is not reachable at ${adminUrl} (${(error as Error).message}); start it or set TEST_DATABASE_ADMIN_URL`);
  } finally {
    await client.end().catch(() => undefined);
  }

  const admin = new Kafka({
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
    requestTimeout: 3000,
    connectionTimeout: 2000,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${brokers} (${(error as Error).message}); run \`npm run kafka:up\` first`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
