import { Client } from 'pg';
import { loadRegistryConfig, type RegistryConfig } from '@lib/config';

let counter = 0;

const uniqueName = (): string => `${process.env.TEST_RUN_ID}_${process.pid.toString(36)}_${++counter}`;

/** A fresh database (migrations run when the app starts) and fresh topic names, for one test scope. */
export const isolatedConfig = async (overrides: Record<string, string> = {}): Promise<RegistryConfig> => {
  const name = uniqueName();
  const database = `registry_t_${name}`;
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? '');
  url.pathname = `/${database}`;
  return loadRegistryConfig({
    PORT: '0',
    DATABASE_URL: url.toString(),
    KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS,
    EVENTS_TOPIC: `test.${name}.events`,
    SLICES_TOPIC: `test.${name}.slices`,
    DLQ_TOPIC: `test.${name}.dlq`,
    EVENTS_PARTITIONS: '3',
    PROJECTOR_GROUP_ID: `test.${name}.projector`,
    ...overrides,
  });
};
