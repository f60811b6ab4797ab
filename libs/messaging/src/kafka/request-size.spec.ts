import { withinRequestSize } from './request-size';

describe('withinRequestSize: publish never sends a batch the broker refuses', () => {
  const record = (kb: number) => ({ key: `k${kb}`, value: Buffer.alloc(kb * 1024) });

  it('keeps records in order in runs of at most 768 KiB', () => {
    const records = Array.from({ length: 40 }, () => record(100));

    const runs = withinRequestSize(records);

    expect(runs.flat()).toEqual(records);
    expect(runs.map((r) => r.length)).toEqual([7, 7, 7, 7, 7, 5]);
  });

  it('sends a larger record alone and counts tombstones as empty', () => {
    const runs = withinRequestSize([record(10), record(900), { key: 'gone', value: null }, record(10)]);

    expect(runs.map((r) => r.map((x) => x.key))).toEqual([['k10'], ['k900'], ['gone', 'k10']]);
  });
});
