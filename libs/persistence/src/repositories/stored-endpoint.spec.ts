import { setFlagsFromString } from 'node:v8';
import type { EndpointDefinition } from '@lib/domain';
import { storedEndpoint } from './endpoint.repository';

setFlagsFromString('--allow-natives-syntax');
// V8's own check (a natives-syntax call, compiled after the flag is set): do two objects share a hidden class?
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const definition = (i: number): EndpointDefinition => ({
  id: `10.0.${i >> 8}.${i & 255}`,
  addresses: [`10.0.${i >> 8}.${i & 255}`],
  conditions: { ready: true, serving: true, terminating: false },
  ports: [],
});

describe('storedEndpoint', () => {
  it('copies the record with the command and version that stored it, a lease only when there is one', () => {
    const lease = { leaseId: 'l', renewedAt: '2026-01-01T00:00:00.000Z' };
    expect(storedEndpoint({ definition: definition(1) }, 'c1', '7')).toEqual({ definition: definition(1), lastCommandId: 'c1', resourceVersion: '7' });
    expect(storedEndpoint({ definition: definition(1), lease: null }, 'c1', '7')).not.toHaveProperty('lease');
    expect(storedEndpoint({ definition: definition(1), lease }, 'c1', '7')).toEqual({ definition: definition(1), lease, lastCommandId: 'c1', resourceVersion: '7' });
  });

  it('gives thousands of endpoints one hidden class between them (a spread copy gives each its own)', () => {
    const stored = Array.from({ length: 3000 }, (_, i) => storedEndpoint({ definition: definition(i) }, `c${i}`, String(i)));
    expect(haveSameMap(stored[10], stored[2999])).toBe(true);
    const spread = (record: object, i: number) => ({ ...record, lastCommandId: `c${i}`, resourceVersion: String(i) });
    const copies = Array.from({ length: 3000 }, (_, i) => spread({ definition: definition(i) }, i));
    expect(haveSameMap(copies[10], copies[2999])).toBe(false);
  });
});
