import { positionProblems, type PositionCheckInput } from './position-check';

const input = (overrides: Partial<PositionCheckInput> = {}): PositionCheckInput => ({
  topic: 'registry.events.v1',
  partitions: 3,
  builtWith: 3,
  positions: new Map([[0, 5n], [1, 0n]]),
  ranges: new Map([
    [0, { start: 0n, end: 9n }],
    [1, { start: 0n, end: 0n }],
    [2, { start: 0n, end: 4n }],
  ]),
  ...overrides,
});

describe('positionProblems: the projector runs only where the projection and the log agree', () => {
  it('accepts positions inside the log, at its end, and partitions never projected from a log starting at 0', () => {
    expect(positionProblems(input({ positions: new Map([[0, 9n]]) }))).toEqual([]);
    expect(positionProblems(input())).toEqual([]);
  });

  it('accepts a position exactly at the start of a log whose older events were removed after they were projected', () => {
    expect(positionProblems(input({ ranges: new Map([[0, { start: 5n, end: 9n }]]) }))).toEqual([]);
  });

  it('refuses a projection ahead of the log end, naming the partition and both offsets', () => {
    expect(positionProblems(input({ positions: new Map([[2, 7n]]) }))).toEqual([
      expect.stringMatching(/^partition 2 of registry\.events\.v1: the projection's next offset is 7 but the log ends at 4/),
    ]);
  });

  it('refuses a gap: events removed from the log before the projection saw them', () => {
    const problems = positionProblems(input({ positions: new Map([[0, 2n]]), ranges: new Map([[0, { start: 6n, end: 9n }], [1, { start: 3n, end: 3n }]]) }));
    expect(problems).toEqual([
      expect.stringContaining('partition 0 of registry.events.v1: the projection\'s next offset is 2 but the log starts at 6: events 2..5 were removed'),
      expect.stringContaining('partition 1 of registry.events.v1: the projection\'s next offset is 0 but the log starts at 3: events 0..2 were removed'),
    ]);
  });

  it('refuses a changed partition count, and positions on partitions that no longer exist', () => {
    expect(positionProblems(input({ partitions: 2, builtWith: 3, positions: new Map([[2, 4n]]) }))).toEqual([
      'registry.events.v1 has 2 partitions but the projection was built from 3: keys now map to other partitions, so the stored per-partition offsets no longer describe what was applied.',
      'partition 2 of registry.events.v1: the projection applied events up to offset 3 there, but the topic has no such partition now.',
    ]);
  });
});
