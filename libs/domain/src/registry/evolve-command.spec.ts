import { deepFreeze } from '../testing/deep-freeze';
import type { RecordedEvent, RegistryEvent } from './events';
import { evolve, evolveCommand } from './evolve';
import type { ServiceState } from './state';

/** A small seeded generator, so a failure names a reproducible case. */
const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const service = (leases: boolean): ServiceState => ({
  definition: { namespace: 'ns', name: 'web', labels: {}, ports: [], addressTypes: ['IPv4'] },
  uid: 'uid-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  endpoints: { 'ep-0': { id: 'ep-0', addresses: ['10.0.0.100'], conditions: { ready: true, serving: true, terminating: false }, ports: [] } },
  ...(leases ? { leases: { 'ep-0': { leaseId: 'old', renewedAt: '2026-01-01T00:00:00.000Z' } } } : {}),
});

const commandOf = (next: () => number, length: number): RecordedEvent[] =>
  Array.from({ length }, (_, i): RecordedEvent => {
    const id = `ep-${Math.floor(next() * 6)}`;
    const roll = next();
    const event: RegistryEvent =
      roll < 0.7
        ? {
            type: 'EndpointRegistered',
            data: {
              namespace: 'ns',
              serviceName: 'web',
              endpoint: { id, addresses: [`10.0.0.${i + 1}`], conditions: { ready: true, serving: true, terminating: false }, ports: [], ...(next() < 0.5 ? { ttlSeconds: 30 } : {}) },
            },
          }
        : roll < 0.85
          ? { type: 'EndpointDeregistered', data: { namespace: 'ns', serviceName: 'web', id } }
          : { type: 'EndpointConditionsChanged', data: { namespace: 'ns', serviceName: 'web', id, conditions: { ready: false, serving: false, terminating: false } } };
    return { event, metadata: { id: `event-${i}`, time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, actor: 'test', commandId: 'c', commandSize: length } };
  });

describe('evolveCommand: a command folded at once equals folding its events one by one', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('holds for random commands (seed %i), with and without leases, and leaves the input untouched', (seed) => {
    const next = random(seed);
    for (let n = 0; n < 50; n++) {
      const events = deepFreeze(commandOf(next, 1 + Math.floor(next() * 12)));
      for (const start of [deepFreeze(service(false)), deepFreeze(service(true)), undefined]) {
        expect(evolveCommand(start, events)).toEqual(events.reduce<ServiceState | undefined>(evolve, start));
      }
    }
  });

  it('keeps a state without leases free of a lease map when nothing registered has a ttl', () => {
    const events = commandOf(random(42), 20).map((r) =>
      r.event.type === 'EndpointRegistered' ? { ...r, event: { ...r.event, data: { ...r.event.data, endpoint: { ...r.event.data.endpoint, ttlSeconds: undefined } } } } : r,
    );

    expect(evolveCommand(service(false), events)).not.toHaveProperty('leases');
  });
});
