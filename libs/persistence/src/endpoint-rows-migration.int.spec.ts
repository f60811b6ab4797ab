import { DataSource } from 'typeorm';
import { MIGRATIONS } from './data-source';
import { migratedDatabase } from './testing/migrated-database';
import { EndpointRows1764000011000 } from '../../../migrations/1764000011000-EndpointRows';

/** A projection written before endpoint rows, migrated in place: nothing of a service is lost. */
describe('migration EndpointRows: service state documents become service and endpoint rows (real Postgres)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await migratedDatabase(MIGRATIONS.slice(0, MIGRATIONS.indexOf(EndpointRows1764000011000)));
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('moves every endpoint and lease out of registry_services.state, keeping definitions, uids and versions', async () => {
    const definition = { namespace: 'default', name: 'web', labels: { tier: 'front' }, ports: [], addressTypes: ['IPv4'] };
    const endpoint = (id: string, extra = {}) => ({ id, addresses: [id], conditions: { ready: true, serving: true, terminating: false }, ports: [], ...extra });
    const lease = { leaseId: 'e-2', renewedAt: '2026-01-01T00:00:00.000Z' };
    const state = {
      definition,
      uid: 'e-1',
      createdAt: '2026-01-01T00:00:00.000Z',
      endpoints: { '10.0.0.1': endpoint('10.0.0.1'), '10.0.0.2': endpoint('10.0.0.2', { ttlSeconds: 30 }) },
      leases: { '10.0.0.2': lease },
    };
    await dataSource.query('INSERT INTO registry_services (namespace, name, state, labels) VALUES ($1, $2, $3, $4)', ['default', 'web', state, definition.labels]);
    await dataSource.query(
      `INSERT INTO endpoint_slices (namespace, name, service_name, address_type, labels, resource_version, object) VALUES ('default', 'web-abcde', 'web', 'IPv4', '{}', 42, '{}')`,
    );

    await new EndpointRows1764000011000().up(dataSource.createQueryRunner());

    expect(await dataSource.query('SELECT namespace, name, definition, uid, created_at, last_command_id, resource_version FROM registry_services')).toEqual([
      { namespace: 'default', name: 'web', definition, uid: 'e-1', created_at: '2026-01-01T00:00:00.000Z', last_command_id: 'migrated', resource_version: '42' },
    ]);
    expect(await dataSource.query('SELECT id, definition, lease, last_command_id, resource_version FROM registry_endpoints ORDER BY id')).toEqual([
      { id: '10.0.0.1', definition: endpoint('10.0.0.1'), lease: null, last_command_id: 'migrated', resource_version: '42' },
      { id: '10.0.0.2', definition: endpoint('10.0.0.2', { ttlSeconds: 30 }), lease, last_command_id: 'migrated', resource_version: '42' },
    ]);
  });
});
