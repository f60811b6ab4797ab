import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, inTransaction, openDataSource } from '@lib/persistence';
import { isolatedConfig } from '@lib/testing';
import type { DataSource } from 'typeorm';
import type { LogBatch, LogMessage } from '../event-log';
import { commandEvents, describeEventLogContract } from '../testing/event-log.contract';
import { EmbeddedEventLog, type EmbeddedEventLogOptions } from './embedded-event-log';

const PARTITIONS = 3;
let counter = 0;

const topics = () => {
  const name = `test.contract${++counter}`;
  return { eventsTopic: `${name}.events`, dlqTopic: `${name}.dlq` };
};

const readTopic = async (dataSource: DataSource, topic: string): Promise<LogMessage[]> => {
  const rows: { key: string | null; value: Buffer | null; headers: Record<string, string>; offset: string }[] = await dataSource.query(
    'SELECT key, value, headers, "offset" FROM event_log_messages WHERE topic = $1 ORDER BY partition, "offset"',
    [topic],
  );
  return rows.map((r) => ({ key: r.key, value: r.value, headers: r.headers, offset: BigInt(r.offset) }));
};

const embeddedLog = (dataSource: DataSource, options: Partial<EmbeddedEventLogOptions> & Pick<EmbeddedEventLogOptions, 'notifications'>) => {
  const names = topics();
  const log = new EmbeddedEventLog(dataSource, { ...names, eventsPartitions: PARTITIONS, pollIntervalMs: 100, ...options });
  return {
    log,
    ...names,
    partitions: PARTITIONS,
    readDeadLetters: () => readTopic(dataSource, names.dlqTopic),
    close: () => log.close(),
  };
};

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 15000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('EmbeddedEventLog on a real Postgres (single-node mode)', () => {
  let dataSource: DataSource;
  let url: string;

  beforeAll(async () => {
    url = (await isolatedConfig()).databaseUrl as string;
    dataSource = await openDataSource({ url });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  describeEventLogContract('embedded, real Postgres', async () => embeddedLog(dataSource, { notifications: true }));

  it('wakes a consumer in another process at once through NOTIFY, without waiting for its poll', async () => {
    const other = await openDataSource({ url });
    const names = topics();
    const consumerSide = new EmbeddedEventLog(other, { ...names, eventsPartitions: PARTITIONS, notifications: true, pollIntervalMs: 60000 });
    const appenderSide = new EmbeddedEventLog(dataSource, { ...names, eventsPartitions: PARTITIONS, notifications: true });
    try {
      const seen: bigint[] = [];
      await appenderSide.append('n/one', commandEvents('n/one', 1));
      await consumerSide.consume({
        groupId: 'notify',
        seekTo: async () => undefined,
        onBatch: async (batch) => void seen.push(...batch.messages.map((m) => m.offset)),
      });
      // The first message is read by the first round, which runs after LISTEN: from now on NOTIFY wakes it.
      await waitFor(() => seen.length === 1, 'the first message');
      await appenderSide.append('n/one', commandEvents('n/one', 1));
      await waitFor(() => seen.length === 2, 'the second message within 5 s, long before the 60 s poll', 5000);
    } finally {
      await consumerSide.close();
      await appenderSide.close();
      await other.destroy();
    }
  });

  it('keeps the partition count a topic was created with, so keys never move', async () => {
    const names = topics();
    const first = new EmbeddedEventLog(dataSource, { ...names, eventsPartitions: 3, notifications: false });
    const { partition } = await first.append('k/one', commandEvents('k/one', 1));
    const reconfigured = new EmbeddedEventLog(dataSource, { ...names, eventsPartitions: 7, notifications: false });
    expect((await reconfigured.append('k/one', commandEvents('k/one', 1))).partition).toBe(partition);
    expect([...(await reconfigured.endOffsets()).keys()]).toEqual([0, 1, 2]);
  });

  it('never splits one append across two batches', async () => {
    const subject = embeddedLog(dataSource, { notifications: false, batchSize: 5 });
    try {
      const appends = [];
      for (let i = 0; i < 4; i++) appends.push(await subject.log.append('s/one', commandEvents('s/one', 4)));
      const batches: bigint[][] = [];
      await subject.log.consume({
        groupId: 'split',
        seekTo: async () => undefined,
        onBatch: async (batch) => void batches.push(batch.messages.map((m) => m.offset)),
      });
      await waitFor(() => batches.flat().length >= 16, '16 messages');
      expect(batches.flat()).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i)));
      const appendEnds = new Set(appends.map((a) => a.offset));
      for (const batch of batches) {
        expect(appendEnds.has(batch[batch.length - 1])).toBe(true);
        expect(batch.length).toBeLessThanOrEqual(5 + 4 - 1);
      }
    } finally {
      await subject.close();
    }
  });
});

describe('EmbeddedEventLog on PGlite (embedded mode)', () => {
  let directory: string;
  let embedded: EmbeddedPostgres;
  let dataSource: DataSource;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'registry-event-log-'));
    embedded = await EmbeddedPostgres.start({ dataDir: join(directory, 'pg') });
    dataSource = await openDataSource(embedded.databaseOptions);
  }, 120000);
  afterAll(async () => {
    await dataSource?.destroy();
    await embedded?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  // As MessagingModule configures it for embedded mode.
  describeEventLogContract('embedded, PGlite', async () => embeddedLog(dataSource, { notifications: false, partitionsConsumedConcurrently: 1 }));

  it('lets the handler open its own transaction while appends keep coming (one backend, no deadlock)', async () => {
    const subject = embeddedLog(dataSource, { notifications: false, partitionsConsumedConcurrently: 4 });
    try {
      const applied: LogBatch[] = [];
      await subject.log.consume({
        groupId: 'projector-like',
        seekTo: async () => undefined,
        onBatch: (batch) =>
          inTransaction(dataSource, async (tx) => {
            await tx.query('SELECT count(*) FROM event_log_messages WHERE topic = $1', [subject.eventsTopic]);
            await new Promise((resolve) => setTimeout(resolve, 20));
            applied.push(batch);
          }),
      });
      const keys = Array.from({ length: 8 }, (_, i) => `p/svc-${i}`);
      await Promise.all(keys.flatMap((key) => [1, 2, 3].map(() => subject.log.append(key, commandEvents(key, 2)))));
      await waitFor(() => applied.flatMap((b) => b.messages).length >= 48, '48 messages', 30000);
      expect(applied.flatMap((b) => b.messages)).toHaveLength(48);
    } finally {
      await subject.close();
    }
  });
});
