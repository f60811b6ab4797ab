import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistryConfig } from '@lib/config';
import { EVENT_LOG, type EventLog } from '@lib/messaging';
import { eventually, graphqlOk } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { endpointConditions, HEARTBEAT, LAPSED, READY, REGISTER_SERVICE, registerLeased, type MutationResult } from './support/leases';

describe('leases in embedded mode (PGlite and the embedded event log, one process)', () => {
  let dataDir: string;
  let registry: RunningRegistry;
  let eventLog: EventLog;

  const eventsOnLog = async () => [...(await eventLog.endOffsets()).values()].reduce((a, b) => a + b, 0n);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'registry-leases-'));
    registry = await startRegistry(
      loadRegistryConfig({ PORT: '0', DNS_PORT: '0', XDS_PORT: '0', DATA_DIR: dataDir, LEASE_SWEEP_MS: '200', LEASE_RENEW_COALESCE_MS: '50', LEASE_PROTECT_MIN: '100000' }),
    );
    eventLog = registry.app.get<EventLog>(EVENT_LOG);
  }, 120_000);
  afterAll(async () => {
    await registry?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('expires, restores on a heartbeat, renews without events, and removes after silence', async () => {
    await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'edge', ports: [{ port: 80 }] } });
    await registerLeased(registry.url, 'edge', ['10.9.0.1'], { ttlSeconds: 1, deregisterAfterSeconds: 2 });

    await eventually(async () => expect((await endpointConditions(registry.url, 'edge')).get('10.9.0.1')).toEqual(LAPSED));
    const restored = (await graphqlOk<{ heartbeat: MutationResult }>(registry.url, HEARTBEAT, { svc: 'edge', id: '10.9.0.1' })).heartbeat;
    expect(restored.eventIds).toHaveLength(1);
    expect((await endpointConditions(registry.url, 'edge')).get('10.9.0.1')).toEqual(READY);

    const before = await eventsOnLog();
    const renewed = (await graphqlOk<{ heartbeat: MutationResult }>(registry.url, HEARTBEAT, { svc: 'edge', id: '10.9.0.1' })).heartbeat;
    expect(renewed.eventIds).toEqual([]);
    expect(await eventsOnLog()).toBe(before);

    await eventually(async () => expect((await endpointConditions(registry.url, 'edge')).has('10.9.0.1')).toBe(false), 20_000);
    // NotReady, the restore, NotReady again, Removed.
    expect(await eventsOnLog()).toBe(before + 2n);
  });
});
