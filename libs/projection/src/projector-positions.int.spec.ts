import type { RegistryConfig } from '@lib/config';
import { KafkaEventLog } from '@lib/messaging';
import { openDataSource } from '@lib/persistence';
import { eventually, isolatedConfig } from '@lib/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { BatchApplier } from './apply-batch';
import { ProjectionMetrics } from './projection-metrics';
import { Projector } from './projector';
import { commandEvents } from '../../messaging/src/testing/event-log.contract';

const kafka = new Kafka({ brokers: (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });

/** A fresh database and events topic (3 partitions), and a projector over them that is not started yet. */
const setup = async () => {
  const config: RegistryConfig = await isolatedConfig();
  const dataSource: DataSource = await openDataSource({ url: config.databaseUrl as string });
  const log = new KafkaEventLog({ brokers: config.kafkaBrokers ?? [], clientId: 'positions-test', eventsTopic: config.eventsTopic, dlqTopic: config.dlqTopic, requestTimeoutMs: 5000 });
  await log.ensureTopics([
    { topic: config.eventsTopic, partitions: config.eventsPartitions },
    { topic: config.dlqTopic, partitions: 1 },
  ]);
  const projector = () =>
    new Projector(
      log,
      dataSource,
      new BatchApplier(dataSource, { groupId: config.projectorGroupId, maxEndpointsPerSlice: 100 }, (letter) => log.deadLetter(letter)),
      new ProjectionMetrics(),
      { groupId: config.projectorGroupId, eventsTopic: config.eventsTopic },
    );
  const storePosition = (partition: number, nextOffset: bigint) =>
    dataSource.query(
      `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, resource_version) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
      [config.projectorGroupId, config.eventsTopic, partition, nextOffset.toString()],
    );
  const storedPositions = async () =>
    (await dataSource.query('SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1 ORDER BY partition', [config.projectorGroupId])).map(
      (r: { partition: number; next_offset: string }) => `${r.partition}:${r.next_offset}`,
    );
  return { config, dataSource, log, projector, storePosition, storedPositions, close: async () => Promise.all([log.close(), dataSource.destroy()]) };
};

describe('Projector: refuses to run where its stored offsets and the log disagree (real broker)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let running: Projector | undefined;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await env.close();
  });

  const start = async () => {
    running = env.projector();
    await running.start();
    return running;
  };

  it('runs, and records the partition count, when the projection and the log agree', async () => {
    const appended = await env.log.append('default/web', commandEvents('default/web', 2));
    const projector = await start();

    expect(projector.refusal).toBeUndefined();
    await eventually(async () => expect(await env.storedPositions()).toContain(`${appended.partition}:${appended.offset + 1n}`));
    expect(await env.dataSource.query('SELECT partitions FROM projection_topology')).toEqual([{ partitions: 3 }]);
  });

  it('refuses a stored offset ahead of the log end, naming the partition, both offsets and the remedy', async () => {
    await env.storePosition(1, 50n);
    const projector = await start();

    expect(projector.refusal).toMatch(/partition 1 of \S+: the projection's next offset is 50 but the log ends at 0/);
    expect(projector.refusal).toContain('npm run projection:rebuild');
  });

  it('refuses a gap: events deleted from the log before the projection applied them, and applies nothing', async () => {
    const first = await env.log.append('default/web', commandEvents('default/web', 3));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [env.config.eventsTopic] });
      await admin.deleteTopicRecords({ topic: env.config.eventsTopic, partitions: [{ partition: first.partition, offset: '2' }] });
    } finally {
      await admin.disconnect();
    }
    const projector = await start();

    expect(projector.refusal).toMatch(new RegExp(`partition ${first.partition} of \\S+: the projection's next offset is 0 but the log starts at 2: events 0\\.\\.1 were removed`));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await env.storedPositions()).toEqual([]);
  });

  it('refuses a topic whose partition count changed since the projection was built', async () => {
    await (await start()).stop();
    running = undefined;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: env.config.eventsTopic, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    const projector = await start();

    expect(projector.refusal).toMatch(/has 4 partitions but the projection was built from 3/);
  });
});
