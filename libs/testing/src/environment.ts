import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadRegistryConfig, type RegistryConfig } from '@lib/config';

let counter = 0;

// Jest gives every test file its own module registry, so with --runInBand several files share a pid
// and each starts counting at 1 again: the random part keeps their databases and topics apart.
const uniqueName = (): string => `${process.env.TEST_RUN_ID}_${process.pid.toString(36)}_${randomBytes(3).toString('hex')}${++counter}`;

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
    // Access control has its own tests; everything else runs as the anonymous admin.
    AUTH_MODE: 'off',
    // Test files run side by side: a fixed default port would be taken by the first; xDS tests pick a free one.
    XDS_PORT: '0',
    DATABASE_URL: url.toString(),
    KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS,
    EVENTS_TOPIC: `test.${name}.events`,
    SLICES_TOPIC: `test.${name}.slices`,
    DLQ_TOPIC: `test.${name}.dlq`,
    EVENTS_PARTITIONS: '3',
    PROJECTOR_GROUP_ID: `test.${name}.projector`,
    // Test files run side by side: DNS only where a test asks for it, on a port of its own.
    DNS_PORT: '0',
    ...overrides,
  });
};
