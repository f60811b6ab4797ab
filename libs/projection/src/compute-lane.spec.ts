import { ComputeLane, yieldToIo } from './compute-lane';

describe('ComputeLane', () => {
  it('lets one holder in at a time, in the order they asked', async () => {
    const lane = new ComputeLane();
    const order: string[] = [];
    const hold = async (name: string, steps: number) => {
      const leave = await lane.enter();
      order.push(`${name} in`);
      for (let i = 0; i < steps; i++) await yieldToIo();
      order.push(`${name} out`);
      leave();
    };
    await Promise.all([hold('a', 3), hold('b', 1), hold('c', 2)]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('ignores a second release: the next holder keeps the lane', async () => {
    const lane = new ComputeLane();
    const leaveA = await lane.enter();
    const b = lane.enter();
    const c = lane.enter();
    leaveA();
    const leaveB = await b;
    leaveA();
    let cIn = false;
    void c.then(() => (cIn = true));
    await yieldToIo();
    expect(cIn).toBe(false);
    leaveB();
    await c;
    expect(cIn).toBe(true);
  });
});

describe('yieldToIo', () => {
  it('resolves after the callbacks already queued for the check phase have run', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('other work'));
    await yieldToIo();
    seen.push('after the yield');
    expect(seen).toEqual(['other work', 'after the yield']);
  });
});
