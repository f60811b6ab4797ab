import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  const deferred = () => {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    return { promise, release };
  };

  it('carries what arrives in the same macrotask in one flush', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void flushes.push([...items]), { maxWeight: 100, weightOf: () => 1, concurrency: 1 });

    await Promise.all([group.submit(1), group.submit(2), group.submit(3)]);

    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('gathers items submitted during a flush into the next one, in order', async () => {
    const flushes: number[][] = [];
    const first = deferred();
    const group = new GroupCommit<number>(async (items) => {
      flushes.push([...items]);
      if (flushes.length === 1) await first.promise;
    }, { maxWeight: 100, weightOf: () => 1, concurrency: 1 });

    const a = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [group.submit(2), group.submit(3), group.submit(4)];
    first.release();
    await Promise.all([a, ...rest]);

    expect(flushes).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a group at the weight limit but always takes at least one item', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void flushes.push([...items]), { maxWeight: 10, weightOf: (n) => n, concurrency: 1 });

    await Promise.all([group.submit(4), group.submit(5), group.submit(3), group.submit(25), group.submit(1)]);

    expect(flushes).toEqual([[4, 5], [3], [25], [1]]);
  });

  it('flushes a failed group again item by item, so only the failing item is rejected', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number>(async (items) => {
      flushes.push([...items]);
      if (items.includes(2)) throw new Error('boom');
    }, { maxWeight: 100, weightOf: () => 1, concurrency: 1 });

    const outcomes = await Promise.allSettled([group.submit(1), group.submit(2), group.submit(3)]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(flushes).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('rejects a lone item with its own error and goes on with the next group', async () => {
    const group = new GroupCommit<number>(async (items) => {
      if (items.includes(2)) throw new Error('boom');
    }, { maxWeight: 1, weightOf: () => 1, concurrency: 1 });

    const outcomes = await Promise.allSettled([group.submit(1), group.submit(2), group.submit(3)]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('boom'));
  });

  it('runs up to `concurrency` flushes at once, the second taking what queued behind the first', async () => {
    const flushes: number[][] = [];
    const gates = [deferred(), deferred()];
    let inFlight = 0;
    let maxInFlight = 0;
    const group = new GroupCommit<number>(async (items) => {
      const gate = gates[flushes.length];
      flushes.push([...items]);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await gate?.promise;
      inFlight--;
    }, { maxWeight: 100, weightOf: () => 1, concurrency: 2 });

    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = group.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [group.submit(3), group.submit(4)];
    await new Promise((resolve) => setImmediate(resolve));
    gates.forEach((g) => g.release());
    await Promise.all([first, second, ...rest]);

    expect(flushes).toEqual([[1], [2], [3, 4]]);
    expect(maxInFlight).toBe(2);
  });
});
