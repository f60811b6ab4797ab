import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@lib/domain';
import { encodeEvent } from '../cloudevents';
import { keyPartition } from '../key-partition';
import { RecordTooLargeError, type AppendResult, type ConsumerHandle, type EventLog, type LogMessage } from '../event-log';

/** One adapter with fresh topics, as a contract test needs it. */
export interface EventLogUnderTest {
  readonly log: EventLog;
  readonly eventsTopic: string;
  readonly dlqTopic: string;
  readonly partitions: number;
  /** The dead-letter topic's messages in order, once there are at least `count` (a transport-specific reader). */
  readDeadLetters(count: number): Promise<LogMessage[]>;
  close(): Promise<void>;
}

interface Delivery {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly ceId: string;
}

const WAIT_MS = 30000;

/** A command's worth of events under one key (`namespace/service`). */
export const commandEvents = (key: string, count: number): RecordedEvent[] => {
  const [namespace, serviceName] = key.split('/');
  const commandId = randomUUID();
  return Array.from({ length: count }, (_, i) => ({
    event: { type: 'EndpointDeregistered', data: { namespace, serviceName, id: `10.0.0.${i + 1}` } },
    metadata: { id: randomUUID(), time: new Date().toISOString(), actor: 'contract-test', commandId, commandSize: count },
  }));
};

const waitFor = async (condition: () => boolean, what: () => string, timeoutMs = WAIT_MS): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** Offsets a series of appends occupied, per partition. */
const occupied = (appends: readonly { result: AppendResult; size: number }[]): Map<number, bigint[]> => {
  const byPartition = new Map<number, bigint[]>();
  for (const { result, size } of appends) {
    const offsets = byPartition.get(result.partition) ?? [];
    for (let i = size - 1; i >= 0; i--) offsets.push(result.offset - BigInt(i));
    byPartition.set(result.partition, offsets);
  }
  for (const offsets of byPartition.values()) offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return byPartition;
};

const range = (from: bigint, to: bigint): bigint[] => {
  const result: bigint[] = [];
  for (let o = from; o < to; o++) result.push(o);
  return result;
};

/**
 * The EventLog port's contract, written once and run against every adapter: what the projector,
 * the dead-letter handling and the replay tools rely on, whichever transport carries the log.
 */
export const describeEventLogContract = (adapter: string, create: () => Promise<EventLogUnderTest>): void => {
  describe(`EventLog contract: ${adapter}`, () => {
    let subject: EventLogUnderTest;
    const handles: ConsumerHandle[] = [];

    beforeEach(async () => {
      subject = await create();
    });
    afterEach(async () => {
      await Promise.all(handles.splice(0).map((h) => h.stop()));
      await subject?.close();
    });

    /** A consumer that records every message handed to a handler that resolved. */
    const consume = async (options: {
      groupId?: string;
      seek?: ReadonlyMap<number, bigint>;
      failOnce?: (messages: readonly LogMessage[], partition: number) => boolean;
    } = {}) => {
      const delivered: Delivery[] = [];
      const failed: { partition: number; firstOffset: bigint }[] = [];
      const handle = await subject.log.consume({
        groupId: options.groupId ?? `contract.${randomUUID()}`,
        seekTo: async (partition) => options.seek?.get(partition),
        onBatch: async (batch) => {
          if (failed.length === 0 && options.failOnce?.(batch.messages, batch.partition)) {
            failed.push({ partition: batch.partition, firstOffset: batch.messages[0].offset });
            throw new Error('handler failure injected by the contract test');
          }
          for (const m of batch.messages) delivered.push({ partition: batch.partition, offset: m.offset, key: m.key, ceId: m.headers.ce_id });
        },
      });
      handles.push(handle);
      const offsetsOf = (partition: number) => delivered.filter((d) => d.partition === partition).map((d) => d.offset);
      return { delivered, failed, handle, offsetsOf };
    };

    it('appends one command under one key on contiguous offsets of one partition, resolving with the last', async () => {
      const first = commandEvents('shop/cart', 3);
      const second = commandEvents('shop/cart', 2);
      const a = await subject.log.append('shop/cart', first);
      const b = await subject.log.append('shop/cart', second);

      expect(a.topic).toBe(subject.eventsTopic);
      expect(b.partition).toBe(a.partition);
      expect(b.offset).toBe(a.offset + 2n);

      const consumer = await consume();
      await waitFor(() => consumer.delivered.length >= 5, () => `5 messages, got ${consumer.delivered.length}`);
      expect(consumer.delivered).toEqual(
        [...first, ...second].map((recorded, i) => ({
          partition: a.partition,
          offset: a.offset - 2n + BigInt(i),
          key: 'shop/cart',
          ceId: recorded.metadata.id,
        })),
      );
    });

    it('stores exactly the CloudEvents envelope encodeEvent produces', async () => {
      const [recorded] = commandEvents('default/web', 1);
      await subject.log.append('default/web', [recorded]);
      let message: LogMessage | undefined;
      handles.push(
        await subject.log.consume({
          groupId: `contract.${randomUUID()}`,
          seekTo: async () => undefined,
          onBatch: async (batch) => {
            message = batch.messages[0];
          },
        }),
      );
      await waitFor(() => message !== undefined, () => 'the message');
      const encoded = encodeEvent(recorded);
      expect(message?.key).toBe(encoded.key);
      expect(message?.value?.equals(encoded.value)).toBe(true);
      expect(message?.headers).toEqual(encoded.headers);
    });

    it("puts a key on the same partition every time, the one Kafka's default partitioner picks", async () => {
      const keys = Array.from({ length: 12 }, (_, i) => `ns-${i % 3}/svc-${i}`);
      const appends = await Promise.all(
        [...keys, ...keys].map(async (key, i) => ({ key, size: 1 + (i % 3), result: await subject.log.append(key, commandEvents(key, 1 + (i % 3))) })),
      );
      for (const { key, result } of appends) {
        expect({ key, partition: result.partition }).toEqual({ key, partition: keyPartition(key, subject.partitions) });
      }
      // Concurrent appends never share or skip an offset.
      for (const [partition, offsets] of occupied(appends)) {
        expect({ partition, offsets }).toEqual({ partition, offsets: range(0n, BigInt(offsets.length)) });
      }
    });

    it('delivers everything from the seek position on, exactly once and in order, also what is appended meanwhile', async () => {
      const keys = ['a/one', 'b/two', 'c/three', 'd/four', 'e/five'];
      const before = [];
      for (const key of keys) before.push({ size: 2, result: await subject.log.append(key, commandEvents(key, 2)) });
      const ends = new Map([...occupied(before)].map(([p, offsets]) => [p, offsets[offsets.length - 1] + 1n]));
      const [seekPartition] = [...ends].find(([, end]) => end >= 2n) ?? [];
      if (seekPartition === undefined) throw new Error('no partition received two messages');
      const seekOffset = (ends.get(seekPartition) ?? 0n) - 1n;

      const consumer = await consume({ seek: new Map([[seekPartition, seekOffset]]) });
      const expectedBefore = [...ends].reduce((n, [p, end]) => n + Number(p === seekPartition ? end - seekOffset : end), 0);
      await waitFor(() => consumer.delivered.length >= expectedBefore, () => `${expectedBefore} messages, got ${consumer.delivered.length}`);

      const after = [];
      for (const key of keys) after.push({ size: 1, result: await subject.log.append(key, commandEvents(key, 1)) });
      const finalEnds = new Map([...occupied([...before, ...after])].map(([p, offsets]) => [p, offsets[offsets.length - 1] + 1n]));
      const expected = expectedBefore + after.length;
      await waitFor(() => consumer.delivered.length >= expected, () => `${expected} messages, got ${consumer.delivered.length}`);
      await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up

      for (const [partition, end] of finalEnds) {
        const from = partition === seekPartition ? seekOffset : 0n;
        expect({ partition, offsets: consumer.offsetsOf(partition) }).toEqual({ partition, offsets: range(from, end) });
      }
    });

    it('hands a batch whose handler failed to the handler again, from the same offset, skipping nothing', async () => {
      const appends = [];
      for (const key of ['x/one', 'y/two', 'z/three']) appends.push({ size: 3, result: await subject.log.append(key, commandEvents(key, 3)) });
      const consumer = await consume({ failOnce: () => true });
      await waitFor(() => consumer.delivered.length >= 9, () => `9 messages, got ${consumer.delivered.length}`);

      const [failure] = consumer.failed;
      expect(consumer.offsetsOf(failure.partition)[0]).toBe(failure.firstOffset);
      for (const [partition, offsets] of occupied(appends)) {
        expect({ partition, offsets: consumer.offsetsOf(partition) }).toEqual({ partition, offsets });
      }
    });

    it("resumes a group after its last committed batch when the handler gives no position", async () => {
      const groupId = `contract.${randomUUID()}`;
      await subject.log.append('r/one', commandEvents('r/one', 2));
      const first = await consume({ groupId });
      await waitFor(() => first.delivered.length >= 2, () => `2 messages, got ${first.delivered.length}`);
      await first.handle.stop();
      handles.splice(handles.indexOf(first.handle), 1);

      const later = await subject.log.append('r/one', commandEvents('r/one', 1));
      const second = await consume({ groupId });
      await waitFor(() => second.delivered.length >= 1, () => 'the message appended after the commit');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(second.delivered.map((d) => d.offset)).toEqual([later.offset]);
    });

    it('dead-letters a message with its key, value and headers, plus the reason and where it came from', async () => {
      const message: LogMessage = {
        key: 'default/web',
        value: Buffer.from('{"not":"an event"}'),
        headers: { ce_specversion: '1.0', ce_type: 'io.example.unknown.v9', ce_id: 'bad-1' },
        offset: 7n,
      };
      await subject.log.deadLetter({ source: { topic: subject.eventsTopic, partition: 2, offset: 7n }, message, reason: 'unknown ce_type io.example.unknown.v9' });
      await subject.log.deadLetter({ source: { topic: subject.eventsTopic, partition: 0, offset: 9n }, message: { ...message, key: null, value: null }, reason: 'second' });

      const [letter, keyless] = await subject.readDeadLetters(2);
      expect(letter.key).toBe('default/web');
      expect(letter.value?.toString()).toBe('{"not":"an event"}');
      expect(letter.headers).toEqual({
        ...message.headers,
        dlq_reason: 'unknown ce_type io.example.unknown.v9',
        dlq_source_topic: subject.eventsTopic,
        dlq_source_partition: '2',
        dlq_source_offset: '7',
      });
      expect(keyless).toMatchObject({ key: null, headers: expect.objectContaining({ dlq_reason: 'second', dlq_source_offset: '9' }) });
    });

    it('reports the next offset of every partition as its end offset', async () => {
      const empty = await subject.log.endOffsets();
      expect(new Map(empty)).toEqual(new Map(Array.from({ length: subject.partitions }, (_, p) => [p, 0n])));

      const appends = [];
      for (const key of ['e/one', 'e/two', 'e/three', 'e/one']) appends.push({ size: 2, result: await subject.log.append(key, commandEvents(key, 2)) });
      const ends = await subject.log.endOffsets();
      const expected = new Map(Array.from({ length: subject.partitions }, (_, p) => [p, 0n]));
      for (const [partition, offsets] of occupied(appends)) expected.set(partition, offsets[offsets.length - 1] + 1n);
      expect(new Map(ends)).toEqual(expected);
    });

    it("refuses a command whose events exceed the broker's record limit before appending any of them", async () => {
      // Three events of ~400 KB each: every one fits alone, the command as one unit does not.
      const events = commandEvents('big/bulk', 3).map((recorded) => ({
        ...recorded,
        event: { ...recorded.event, data: { ...recorded.event.data, id: 'x'.repeat(400 * 1024) } },
      })) as RecordedEvent[];
      const first = await subject.log.append('big/bulk', commandEvents('big/bulk', 1));
      const before = await subject.log.endOffsets();

      const refusal = subject.log.append('big/bulk', events);

      await expect(refusal).rejects.toBeInstanceOf(RecordTooLargeError);
      await expect(refusal).rejects.toThrow(/encode to [\d,]+ bytes; the broker's record limit is 1,048,576 bytes \(KAFKA_MAX_RECORD_BYTES\)/);
      await subject.log.append('big/bulk', commandEvents('big/bulk', 1));
      const after = await subject.log.endOffsets();
      const grown = [...after].filter(([partition, end]) => end !== before.get(partition));
      expect(grown).toEqual([[first.partition, first.offset + 2n]]);
    });

    it('answers ping while the transport is reachable', async () => {
      await expect(subject.log.ping()).resolves.toBeUndefined();
    });
  });
};
