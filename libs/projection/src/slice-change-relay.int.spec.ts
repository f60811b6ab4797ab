import type { PublishedRecord } from '@lib/messaging';
import { inTransaction, openDataSource, SliceChangeRepository } from '@lib/persistence';
import { isolatedConfig, sliceFixture } from '@lib/testing';
import type { DataSource } from 'typeorm';
import { SLICE_RELAY_LOCK, SliceChangeRelay } from './slice-change-relay';
import { AdvisoryLockElection } from './sweeper-election';

const changes = new SliceChangeRepository();

/** Commits `count` changes to the change log as the projector does: versions taken, then recorded. */
const commitChanges = (dataSource: DataSource, names: readonly string[]) =>
  inTransaction(dataSource, async (tx) => {
    const counter = await changes.lockCounter(tx);
    const first = counter + 1n;
    await changes.takeVersions(tx, counter.toString(), (counter + BigInt(names.length)).toString());
    await changes.record(
      tx,
      names.map((name, i) => ({ type: 'ADDED' as const, slice: sliceFixture(name), resourceVersion: (first + BigInt(i)).toString(), eventIds: [] })),
    );
  });

const relayLocks = async (dataSource: DataSource): Promise<number> => {
  const [{ held }]: { held: string }[] = await dataSource.query(
    `SELECT count(*) AS held FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [SLICE_RELAY_LOCK],
  );
  return Number(held);
};

const until = async (condition: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('SliceChangeRelay: one instance relays, and a successor continues where it stopped', () => {
  const dataSources: DataSource[] = [];
  afterAll(() => Promise.all(dataSources.map((d) => d.destroy())));

  it('publishes each committed change once from the lock holder, then from the standby after the holder stops', async () => {
    const config = await isolatedConfig();
    // Two pools stand for two projector processes: two sessions competing for the lock.
    const [a, b] = [await openDataSource({ url: config.databaseUrl as string }), await openDataSource({ url: config.databaseUrl as string })];
    dataSources.push(a, b);
    const published: { a: string[]; b: string[] } = { a: [], b: [] };
    const relayOn = (dataSource: DataSource, into: string[]) =>
      new SliceChangeRelay(new AdvisoryLockElection(dataSource, SLICE_RELAY_LOCK), changes, async (records: readonly PublishedRecord[]) => void into.push(...records.map((r) => r.key)), {
        maxRecordBytes: 1024 * 1024,
        slicesTopic: 'slices',
        deadLetter: async () => undefined,
        onDeadLettered: () => undefined,
      });
    const first = relayOn(a, published.a);
    first.start();
    await until(async () => (await relayLocks(a)) === 1, 'the first relay to take the role');
    const second = relayOn(b, published.b);
    second.start();

    await commitChanges(a, ['s1', 's2', 's3']);
    first.kick([]);
    second.kick([]);
    await until(() => published.a.length === 3, 'the holder to publish');
    await first.stop();

    // The holder stored how far it got when it stopped, and gave the role up.
    expect((await changes.watchState(a.manager)).relayedThrough).toBe(3n);
    await commitChanges(a, ['s4', 's5']);
    second.kick([]);
    await until(() => published.b.length === 2, 'the standby to take over');
    await second.stop();

    expect(published.a).toEqual(['default/s1', 'default/s2', 'default/s3']);
    expect(published.b).toEqual(['default/s4', 'default/s5']);
    expect((await changes.watchState(b.manager)).relayedThrough).toBe(5n);
    expect(await relayLocks(a)).toBe(0);
  });
});
