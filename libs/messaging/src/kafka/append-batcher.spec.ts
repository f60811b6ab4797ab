import type { EncodedEvent } from '../cloudevents';
import { keyPartition } from '../key-partition';
import { AppendBatcher, type SendRecords } from './append-batcher';

const record = (key: string, n: number): EncodedEvent => ({ key, value: Buffer.from(String(n)), headers: {} });

/** A fake broker: appends each partition's records to its log and answers with base offsets. */
const fakeBroker = () => {
  const logs = new Map<number, string[]>();
  const sends: number[] = [];
  const send: SendRecords = async (records) => {
    sends.push(records.length);
    const bases = new Map<number, bigint>();
    for (const r of records) {
      const log = logs.get(r.partition) ?? [];
      if (!bases.has(r.partition)) bases.set(r.partition, BigInt(log.length));
      log.push(`${r.key}:${r.value?.toString()}`);
      logs.set(r.partition, log);
    }
    return bases;
  };
  return { logs, sends, send };
};

describe('AppendBatcher', () => {
  it('puts concurrent appends in one send and resolves each with its own last offset', async () => {
    const broker = fakeBroker();
    const batcher = new AppendBatcher(async () => 3, broker.send);
    const appends = [
      batcher.append([record('a/x', 1), record('a/x', 2)]),
      batcher.append([record('b/y', 3)]),
      batcher.append([record('a/x', 4)]),
    ];
    const results = await Promise.all(appends);
    expect(broker.sends).toEqual([4]);
    const at = (r: { partition: number; offset: bigint }) => broker.logs.get(r.partition)?.[Number(r.offset)];
    expect(results.map(at)).toEqual(['a/x:2', 'b/y:3', 'a/x:4']);
    expect(results[0].partition).toBe(keyPartition('a/x', 3));
  });

  it('rejects every append of a failed send, and keeps serving later ones', async () => {
    let fail = true;
    const broker = fakeBroker();
    const batcher = new AppendBatcher(async () => 2, async (records) => {
      if (fail) throw new Error('broker down');
      return broker.send(records);
    });
    await expect(Promise.all([batcher.append([record('a/x', 1)]), batcher.append([record('b/y', 2)])])).rejects.toThrow('broker down');
    fail = false;
    await expect(batcher.append([record('a/x', 3)])).resolves.toEqual({ partition: keyPartition('a/x', 2), offset: 0n });
  });
});
