import { PartitionLanes } from './partition-lanes';

describe('PartitionLanes', () => {
  it('gives a batch the attempt on the batch before it in its partition, and none in another partition', () => {
    const lanes = new PartitionLanes();
    lanes.begin('t/0', 0n, 9n);
    const second = lanes.begin('t/0', 10n, 19n);
    expect(second.previous?.last).toBe(9n);
    expect(lanes.begin('t/1', 10n, 19n).previous).toBeUndefined();
  });

  it('finds batches by offset: a batch retried after a later one was handed over does not wait for the later one', () => {
    const lanes = new PartitionLanes();
    lanes.begin('t/0', 0n, 9n).failed();
    lanes.begin('t/0', 10n, 19n).failed();
    const retried = lanes.begin('t/0', 0n, 9n);
    expect(retried.previous).toBeUndefined();
    expect(lanes.begin('t/0', 10n, 19n).previous?.last).toBe(9n);
  });

  it('keeps a failed batch as the predecessor of the next until a commit passes its offsets', () => {
    const lanes = new PartitionLanes();
    lanes.begin('t/0', 0n, 9n).failed();
    expect(lanes.begin('t/0', 10n, 19n).previous?.last).toBe(9n);
    // A redelivery from the stored position covers both batches at once.
    lanes.begin('t/0', 0n, 19n).committed(false);
    expect(lanes.begin('t/0', 20n, 29n).previous).toBeUndefined();
  });

  it.each([
    { how: 'judged once and committed that way', judgements: 1, asJudged: true, expected: true },
    { how: 'judged twice (a command dead-lettered in between)', judgements: 2, asJudged: true, expected: false },
    { how: 'committed under the locks after its judgement', judgements: 1, asJudged: false, expected: false },
  ])('tells the batch after it that the commit carried the judgement it saw ($how: $expected)', async ({ judgements, asJudged, expected }) => {
    const lanes = new PartitionLanes();
    const first = lanes.begin('t/0', 0n, 9n);
    const after = lanes.begin('t/0', 10n, 19n);
    for (let i = 0; i < judgements; i++) first.judged();
    first.committed(asJudged);
    await expect(after.previous?.committedAsJudged).resolves.toBe(expected);
  });

  it('settles the judgement of a batch that gave up, so the batch after it does not wait forever', async () => {
    const lanes = new PartitionLanes();
    const first = lanes.begin('t/0', 0n, 9n);
    const second = lanes.begin('t/0', 10n, 19n);
    first.failed();
    await expect(second.previous?.judged).resolves.toBeUndefined();
    await expect(second.previous?.committedAsJudged).resolves.toBe(false);
  });
});
