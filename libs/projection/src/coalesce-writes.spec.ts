import type { EndpointSlice } from '@lib/domain';
import { coalesceWrites, type PendingWrite } from './coalesce-writes';

const slice = (name: string, generation: number): EndpointSlice => ({ namespace: 'ns', name, generation }) as unknown as EndpointSlice;
const write = (type: PendingWrite['type'], name: string, generation: number, command: string): PendingWrite => ({
  type,
  slice: slice(name, generation),
  eventIds: [`${command}-a`, `${command}-b`],
});

describe('coalesceWrites: one change per slice per transaction', () => {
  it('keeps single writes as they are, in order', () => {
    const writes = [write('ADDED', 's1', 1, 'c1'), write('MODIFIED', 's2', 4, 'c1'), write('DELETED', 's3', 2, 'c2')];

    expect(coalesceWrites(writes)).toEqual(writes);
  });

  it('merges a slice written by several commands into its last object, carrying every command event id', () => {
    const merged = coalesceWrites([write('MODIFIED', 's1', 2, 'c1'), write('ADDED', 's2', 1, 'c1'), write('MODIFIED', 's1', 3, 'c2')]);

    expect(merged).toEqual([
      { type: 'MODIFIED', slice: slice('s1', 3), eventIds: ['c1-a', 'c1-b', 'c2-a', 'c2-b'] },
      write('ADDED', 's2', 1, 'c1'),
    ]);
  });

  it('types the change by what watchers saw before: created then changed is ADDED, existing then deleted is DELETED', () => {
    const merged = coalesceWrites([
      write('ADDED', 'new', 1, 'c1'),
      write('MODIFIED', 'new', 2, 'c2'),
      write('MODIFIED', 'old', 5, 'c1'),
      write('DELETED', 'old', 5, 'c2'),
    ]);

    expect(merged.map((c) => [c.type, c.slice.name, c.slice.generation])).toEqual([
      ['ADDED', 'new', 2],
      ['DELETED', 'old', 5],
    ]);
  });

  it('drops a slice created and deleted within the transaction: no watcher ever saw it', () => {
    expect(coalesceWrites([write('ADDED', 'brief', 1, 'c1'), write('DELETED', 'brief', 1, 'c2')])).toEqual([]);
  });
});
