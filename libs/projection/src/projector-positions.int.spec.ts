import { eventually } from '@lib/testing';
import { Kafka, logLevel } from 'kafkajs';
import { commandEvents } from '../../messaging/src/testing/event-log.contract';
import type { Projector } from './projector';
import { projectorHarness } from './testing/projector-harness';

const kafka = new Kafka({ brokers: (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });

/** The harness, plus a way to plant a stored offset as a restored or foreign projection would have it. */
const setup = async () => {
  const harness = await projectorHarness();
  const storePosition = (partition: number, nextOffset: bigint) =>
    harness.dataSource.query(
      `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, resource_version) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
      [harness.config.projectorGroupId, harness.config.eventsTopic, partition, nextOffset.toString()],
    );
  return { ...harness, storePosition };
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
