import type { EncodedEvent } from '../cloudevents';
import { AppendOutcomeUnknownError, LogUnavailableError } from '../event-log';
import { keyPartition } from '../key-partition';
import { AppendBatcher, type AppendBatcherOptions, type SendRecords } from './append-batcher';

const record = (key: string, n: number | string): EncodedEvent => ({ key, value: Buffer.from(String(n)), headers: {} });

class Refused extends Error {}

/** A fake broker: appends each partition's records to its log and answers with base offsets. */
const fakeBroker = () => {
  const logs = new Map<number, string[]>();
  const sends: string[][] = [];
  const send: SendRecords = async (records) => {
    sends.push(records.map((r) => `${r.key}:${r.value?.toString()}`));
    const bases = new Map<number, bigint>();
    for (const r of records) {
      const log = logs.get(r.partition) ?? [];
      if (!bases.has(r.partition)) bases.set(r.partition, BigInt(log.length));
      log.push(`${r.key}:${r.value?.toString()}`);
      logs.set(r.partition, log);
    }
    return bases;
  };
  return { logs, sends, send, written: () => [...logs.values()].flat().sort() };
};

const batcherOn = (send: SendRecords, options: Partial<AppendBatcherOptions> = {}) =>
  new AppendBatcher({ prepare: async () => 3, send, isRefusal: (e) => e instanceof Refused, maxRecordBytes: 1_000_000, timeoutMs: 1000, ...options });

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

/** Two keys that land on different partitions of 3. */
const [A, B] = ['a/x', 'b/y'];

describe('AppendBatcher', () => {
  it('keys A and B sit on different partitions (the tests below rely on it)', () => {
    expect(keyPartition(A, 3)).not.toBe(keyPartition(B, 3));
  });

  it('puts concurrent appends in one send and resolves each with its own last offset', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker.send);
    const appends = [batcher.append([record(A, 1), record(A, 2)]), batcher.append([record(B, 3)]), batcher.append([record(A, 4)])];
    const results = await Promise.all(appends);
    expect(broker.sends.map((s) => s.length)).toEqual([4]);
    const at = (r: { partition: number; offset: bigint }) => broker.logs.get(r.partition)?.[Number(r.offset)];
    expect(results.map(at)).toEqual(['a/x:2', 'b/y:3', 'a/x:4']);
    expect(results[0].partition).toBe(keyPartition(A, 3));
  });

  it('withdraws an append that times out while queued: its caller hears UNAVAILABLE and it is never sent', async () => {
    const broker = fakeBroker();
    const slow = gate();
    const batcher = batcherOn(async (records) => {
      await slow.opened;
      return broker.send(records);
    }, { timeoutMs: 100 });
    const first = batcher.append([record(A, 'sent')]);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = batcher.append([record(B, 'withdrawn')]);

    await expect(queued).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(first).rejects.toBeInstanceOf(AppendOutcomeUnknownError);
    slow.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.written()).toEqual(['a/x:sent']);
  });

  it('withdraws an append that times out while the producer connects', async () => {
    const broker = fakeBroker();
    const connecting = gate();
    const batcher = batcherOn(broker.send, { prepare: () => connecting.opened.then(() => 3), timeoutMs: 50 });
    const append = batcher.append([record(A, 1)]);
    await expect(append).rejects.toBeInstanceOf(LogUnavailableError);
    connecting.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.sends).toEqual([]);
  });

  it('sends a failed shared send again per partition, so neighbours of a refused partition are appended once', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(async (records) => {
      if (records.some((r) => r.value.toString() === 'bad')) throw new Refused('MESSAGE_TOO_LARGE');
      return broker.send(records);
    });
    const outcomes = await Promise.allSettled([
      batcher.append([record(A, 'a1')]),
      batcher.append([record(B, 'bad')]),
      batcher.append([record(A, 'a2')]),
      batcher.append([record(B, 'b2')]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(LogUnavailableError);
    expect(broker.written()).toEqual(['a/x:a1', 'a/x:a2', 'b/y:b2']);
  });

  it('reports an ambiguous failure after the send left as outcome unknown, not as unavailable', async () => {
    const batcher = batcherOn(async () => {
      throw new Error('Connection closed');
    });
    const outcomes = await Promise.allSettled([batcher.append([record(A, 1)]), batcher.append([record(A, 2)])]);
    const [first, second] = outcomes.map((o) => (o as PromiseRejectedResult).reason);
    expect(first).toBeInstanceOf(AppendOutcomeUnknownError);
    expect(second).toBeInstanceOf(AppendOutcomeUnknownError);
    expect(first).not.toBe(second); // each caller adds its own command id
  });

  it('reports a failure before sending (no connection, no metadata) as unavailable', async () => {
    const broker = fakeBroker();
    let down = true;
    const batcher = batcherOn(broker.send, {
      prepare: async () => {
        if (down) throw new Error('ECONNREFUSED');
        return 3;
      },
    });
    await expect(batcher.append([record(A, 1)])).rejects.toBeInstanceOf(LogUnavailableError);
    down = false;
    await expect(batcher.append([record(A, 3)])).resolves.toEqual({ partition: keyPartition(A, 3), offset: 0n });
  });

  it("never puts more than the record limit of one partition's appends in one send", async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker.send, { maxRecordBytes: 250 });
    await Promise.all([batcher.append([record(A, 1)], 100), batcher.append([record(A, 2)], 100), batcher.append([record(B, 3)], 200), batcher.append([record(A, 4)], 100)]);
    expect(broker.sends).toEqual([['a/x:1', 'a/x:2', 'b/y:3'], ['a/x:4']]);
  });
});
