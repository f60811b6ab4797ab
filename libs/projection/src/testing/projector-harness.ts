import type { RegistryConfig } from '@lib/config';
import { KafkaEventLog } from '@lib/messaging';
import { openDataSource } from '@lib/persistence';
import { isolatedConfig, projectionRepositories } from '@lib/testing';
import type { DataSource } from 'typeorm';
import { BatchApplier } from '../apply-batch';
import { ProjectionMetrics } from '../projection-metrics';
import { Projector } from '../projector';

/** A fresh database and Kafka topics (3 partitions), and projectors over them, for integration tests. */
export const projectorHarness = async () => {
  const config: RegistryConfig = await isolatedConfig();
  const dataSource: DataSource = await openDataSource({ url: config.databaseUrl as string });
  const log = new KafkaEventLog({ brokers: config.kafkaBrokers ?? [], clientId: 'projector-test', eventsTopic: config.eventsTopic, dlqTopic: config.dlqTopic, requestTimeoutMs: 5000 });
  await log.ensureTopics([
    { topic: config.eventsTopic, partitions: config.eventsPartitions },
    { topic: config.dlqTopic, partitions: 1 },
  ]);
  const repositories = projectionRepositories();
  const projector = () =>
    new Projector(
      log,
      dataSource,
      new BatchApplier(dataSource, repositories, { groupId: config.projectorGroupId, maxEndpointsPerSlice: 100, cacheEndpoints: 100_000 }, (letter) =>
        log.deadLetter(letter),
      ),
      new ProjectionMetrics(),
      repositories,
      { groupId: config.projectorGroupId, eventsTopic: config.eventsTopic },
    );
  const storedPositions = async (): Promise<string[]> =>
    (await dataSource.query('SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1 ORDER BY partition', [config.projectorGroupId])).map(
      (r: { partition: number; next_offset: string }) => `${r.partition}:${r.next_offset}`,
    );
  return { config, dataSource, log, projector, storedPositions, close: async () => void (await Promise.all([log.close(), dataSource.destroy()])) };
};
