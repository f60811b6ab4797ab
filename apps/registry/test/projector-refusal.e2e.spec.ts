import { openDataSource } from '@lib/persistence';
import { isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

describe('a projector whose stored offsets disagree with the log', () => {
  let registry: RunningRegistry | undefined;
  afterAll(async () => {
    await registry?.close();
  });

  it('does not consume, and /readyz answers 503 naming the partition, the offsets and the remedy', async () => {
    const config = await isolatedConfig();
    // A projection restored from elsewhere: it claims events on partition 2 that this log never had.
    const dataSource = await openDataSource({ url: config.databaseUrl as string });
    await dataSource.query(
      'INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, resource_version) VALUES ($1, $2, 2, 40, 0)',
      [config.projectorGroupId, config.eventsTopic],
    );
    await dataSource.destroy();

    registry = await startRegistry(config);
    const response = await fetch(`${registry.url}/readyz`);
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(503);
    expect(body.projector).toMatch(/^refused: partition 2 of \S+: the projection's next offset is 40 but the log ends at 0/);
    expect(body.projector).toContain('npm run projection:rebuild');
    expect({ postgres: body.postgres, eventLog: body.eventLog }).toEqual({ postgres: 'ok', eventLog: 'ok' });
  });
});
