import { ThrottledOffsetCommits, type TopicPartitionOffset } from './throttled-offset-commits';

describe('ThrottledOffsetCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const subject = (commit: (offsets: TopicPartitionOffset[]) => Promise<void> = async () => undefined) => {
    const calls: TopicPartitionOffset[][] = [];
    const commits = new ThrottledOffsetCommits(async (offsets) => {
      calls.push(offsets);
      await commit(offsets);
    }, 1000);
    return { commits, calls };
  };

  it('commits once per interval, with the latest offset of each partition', async () => {
    const { commits, calls } = subject();
    commits.resolve({ topic: 'events', partition: 0, offset: '5' });
    commits.resolve({ topic: 'events', partition: 1, offset: '3' });
    commits.resolve({ topic: 'events', partition: 0, offset: '9' });
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([
      [
        { topic: 'events', partition: 0, offset: '9' },
        { topic: 'events', partition: 1, offset: '3' },
      ],
    ]);
  });

  it('sends nothing while nothing new was resolved', async () => {
    const { commits, calls } = subject();
    commits.resolve({ topic: 'events', partition: 0, offset: '1' });
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
  });

  it('flushes at once on stop, and a failed commit does not throw', async () => {
    const { commits, calls } = subject(() => Promise.reject(new Error('REBALANCE_IN_PROGRESS')));
    commits.resolve({ topic: 'events', partition: 2, offset: '7' });
    await expect(commits.flush()).resolves.toBeUndefined();
    expect(calls).toEqual([[{ topic: 'events', partition: 2, offset: '7' }]]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
  });
});
