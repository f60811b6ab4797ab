import type { ClaimedExpiry } from '@lib/persistence';
import { expiryCommands, expiryEventId } from './lease-sweeper';

const claim = (serviceName: string, id: string, phase: ClaimedExpiry['phase'] = 'NotReady'): ClaimedExpiry =>
  Object.freeze({
    namespace: 'default',
    serviceName,
    id,
    leaseId: `lease-of-${id}`,
    phase,
    leaseLapsedAt: '2026-01-01T00:00:40.000Z',
    claimedAt: '2026-01-01T00:00:41.000Z',
  });

describe('expiryCommands', () => {
  it('appends one command per service, each event naming the lapsed lease and why', () => {
    const commands = expiryCommands([claim('web', 'a'), claim('db', 'b'), claim('web', 'c', 'Removed')]);
    expect(commands.map((c) => [c.key, c.events.map((e) => e.event.data.id)])).toEqual([
      ['default/web', ['a', 'c']],
      ['default/db', ['b']],
    ]);
    const [web] = commands;
    expect(web.events[1]).toEqual({
      event: {
        type: 'EndpointExpired',
        data: { namespace: 'default', serviceName: 'web', id: 'c', phase: 'Removed', leaseLapsedAt: '2026-01-01T00:00:40.000Z', leaseId: 'lease-of-c' },
      },
      metadata: {
        id: expiryEventId('lease-of-c', 'Removed'),
        time: '2026-01-01T00:00:41.000Z',
        actor: 'lease-sweeper',
        commandId: web.events[0].metadata.commandId,
        commandSize: 2,
      },
    });
  });

  it('derives event ids from the lease and the phase: a repeated expiry is the same event', () => {
    expect(expiryEventId('lease-1', 'NotReady')).toBe(expiryEventId('lease-1', 'NotReady'));
    expect(expiryEventId('lease-1', 'NotReady')).not.toBe(expiryEventId('lease-1', 'Removed'));
    expect(expiryEventId('lease-1', 'NotReady')).not.toBe(expiryEventId('lease-2', 'NotReady'));
    expect(expiryEventId('lease-1', 'Removed')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
