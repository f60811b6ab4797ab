import { isolatedConfig } from '@lib/testing';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../data-source';
import { LeaseRepository, type ProjectedLeaseWrite } from './lease.repository';

/** The sweeper decides protective mode, then claims: only what that decision counted may expire. */
describe('LeaseRepository.claimDue (real Postgres)', () => {
  let dataSource: DataSource;
  const leases = new LeaseRepository();

  beforeAll(async () => {
    dataSource = await openDataSource({ url: (await isolatedConfig()).databaseUrl as string });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  const put = (id: string, renewedAt: number): ProjectedLeaseWrite => ({
    kind: 'put', namespace: 'default', serviceName: 'web', id, leaseId: `lease-${id}`, ttlSeconds: 1, deregisterAfterSeconds: 60, renewedAt: iso(renewedAt), lapsedAt: null,
  });

  it('leaves a lease that came due after the protection decision for the next sweep', async () => {
    const now = Date.parse(await leases.now(dataSource.manager));
    // Due 9 s ago and 2 s ago.
    await leases.applyProjected(dataSource.manager, [put('10.0.0.1', now - 10_000), put('10.0.0.2', now - 3_000)]);
    const graceStart = iso(now - 60_000);

    const first = await leases.claimDue(dataSource.manager, { limit: 10, graceStart, dueBy: iso(now - 5_000) });
    expect(first.map((c) => [c.id, c.phase])).toEqual([['10.0.0.1', 'NotReady']]);
    const second = await leases.claimDue(dataSource.manager, { limit: 10, graceStart, dueBy: iso(now) });
    expect(second.map((c) => [c.id, c.phase])).toEqual([['10.0.0.2', 'NotReady']]);
  });
});
