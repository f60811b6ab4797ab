import { ConfigError, loadRegistryConfig } from '@lib/config';
import { openDataSource } from '@lib/persistence';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (the apps also do it on start). */
async function migrate(): Promise<void> {
  const config = loadRegistryConfig(process.env);
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL: required by npm run migrate (embedded mode migrates on start)');
  const dataSource = await openDataSource({ url: config.databaseUrl });
  const applied = await dataSource.query('SELECT name FROM registry_migrations ORDER BY id');
  process.stdout.write(`migrations applied: ${applied.map((m: { name: string }) => m.name).join(', ')}\n`);
  await dataSource.destroy();
}

migrate().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
  process.exit(1);
});
