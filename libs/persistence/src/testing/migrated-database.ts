import { isolatedConfig } from '@lib/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS } from '../data-source';

/** A fresh database of its own with `migrations` (all by default) run, for a migration's test. */
export const migratedDatabase = async (migrations: readonly (typeof MIGRATIONS)[number][] = MIGRATIONS): Promise<DataSource> => {
  const config = await isolatedConfig();
  const dataSource = new DataSource({ ...dataSourceOptions({ url: config.databaseUrl as string }), migrations: [...migrations] });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
};
