import type { EndpointSlice } from '@lib/domain';
import type { EventLog } from '@lib/messaging';
import { dataSourceOptions, inTransaction, MIGRATIONS, type ProjectionRepositories, type Queryable } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { diffProjections, type ProjectionDifference } from './projection-diff';
import { replayProjection, type ReplayResult } from './replay';

export interface MaintenanceOptions {
  readonly databaseUrl: string;
  readonly groupId: string;
  readonly eventsTopic: string;
  readonly maxEndpointsPerSlice: number;
  readonly cacheEndpoints: number;
  readonly repositories: ProjectionRepositories;
}

const allSlices = async (q: Queryable, repositories: ProjectionRepositories): Promise<EndpointSlice[]> =>
  (await repositories.slices.snapshot(q, {})).slices.map((stored) => stored.slice);

/**
 * Drops the projection and replays the log from offset 0 into it. Run it with the projectors
 * stopped. resourceVersions keep growing (the counter is kept) and the change log is cut, so
 * watchers from before the rebuild get RESOURCE_VERSION_TOO_OLD and list again.
 */
export const rebuildProjection = async (dataSource: DataSource, eventLog: EventLog, options: MaintenanceOptions): Promise<ReplayResult> => {
  await inTransaction(dataSource, async (tx) => {
    await tx.query('TRUNCATE registry_services, registry_endpoints, endpoint_slices, slice_changes, endpoint_history, command_outcomes');
    await tx.query('DELETE FROM consumer_offsets WHERE group_id = $1 AND topic = $2', [options.groupId, options.eventsTopic]);
    await options.repositories.topology.forget(tx, options.groupId, options.eventsTopic);
    await tx.query('UPDATE watch_state SET compacted_through = (SELECT value FROM resource_version_counter)');
  });
  return replayProjection(eventLog, dataSource, options.repositories, {
    projectionGroupId: options.groupId,
    consumerGroupId: `${options.groupId}.rebuild.${Date.now()}`,
    maxEndpointsPerSlice: options.maxEndpointsPerSlice,
    cacheEndpoints: options.cacheEndpoints,
  });
};

export interface VerifyResult {
  readonly differences: readonly ProjectionDifference[];
  readonly slices: number;
  readonly replay: ReplayResult;
}

/**
 * The consistency check: replays the log into a scratch schema up to exactly the offsets the
 * live projection reflects (read in the same snapshot as its slices) and compares the two.
 */
export const verifyProjection = async (live: DataSource, eventLog: EventLog, options: MaintenanceOptions): Promise<VerifyResult> => {
  const { positions, slices } = await live.transaction('REPEATABLE READ', async (tx) => ({
    positions: await options.repositories.offsets.positions(tx, options.groupId, options.eventsTopic),
    slices: await allSlices(tx, options.repositories),
  }));
  const schema = `projection_verify_${Date.now().toString(36)}`;
  await live.query(`CREATE SCHEMA "${schema}"`);
  const scratch = new DataSource({ ...dataSourceOptions({ url: options.databaseUrl, schema, poolSize: 6 }), migrations: MIGRATIONS });
  try {
    await scratch.initialize();
    await scratch.runMigrations({ transaction: 'each' });
    const ends = await eventLog.endOffsets();
    const until = new Map([...ends.keys()].map((p) => [p, positions.find((x) => x.partition === p)?.nextOffset ?? 0n]));
    const replay = await replayProjection(eventLog, scratch, options.repositories, {
      projectionGroupId: options.groupId,
      consumerGroupId: `${options.groupId}.verify.${Date.now()}`,
      maxEndpointsPerSlice: options.maxEndpointsPerSlice,
      cacheEndpoints: options.cacheEndpoints,
      until,
    });
    return { differences: diffProjections(slices, await allSlices(scratch.manager, options.repositories)), slices: slices.length, replay };
  } finally {
    if (scratch.isInitialized) await scratch.destroy();
    await live.query(`DROP SCHEMA "${schema}" CASCADE`);
  }
};
