import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { PersistenceModule } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { EmbeddedEventLog } from './embedded/embedded-event-log';
import { EVENT_LOG, type EventLog } from './event-log';
import { KafkaEventLog } from './kafka/kafka-event-log';

/** Kafka when KAFKA_BROKERS is set; otherwise the log lives in the registry's own Postgres (embedded or DATABASE_URL). */
const createEventLog = async (config: RegistryConfig, dataSource: DataSource): Promise<EventLog> => {
  if (!config.kafkaBrokers) {
    return new EmbeddedEventLog(dataSource, {
      eventsTopic: config.eventsTopic,
      dlqTopic: config.dlqTopic,
      eventsPartitions: config.eventsPartitions,
      // PGlite has one backend for every socket: NOTIFY cannot cross connections, and batches
      // applied side by side would only queue behind each other's transactions.
      notifications: config.databaseUrl !== undefined,
      partitionsConsumedConcurrently: config.databaseUrl !== undefined ? 4 : 1,
      maxRecordBytes: config.kafkaMaxRecordBytes,
    });
  }
  const log = new KafkaEventLog({
    brokers: config.kafkaBrokers,
    clientId: 'endpointslice-registry',
    eventsTopic: config.eventsTopic,
    dlqTopic: config.dlqTopic,
    requestTimeoutMs: config.kafkaRequestTimeoutMs,
    maxRecordBytes: config.kafkaMaxRecordBytes,
  });
  await log.ensureTopics([
    { topic: config.eventsTopic, partitions: config.eventsPartitions },
    { topic: config.dlqTopic, partitions: 1 },
    { topic: config.slicesTopic, partitions: config.eventsPartitions, compacted: true },
  ]);
  return log;
};

@Module({
  imports: [PersistenceModule],
  providers: [{ provide: EVENT_LOG, inject: [REGISTRY_CONFIG, DataSource], useFactory: createEventLog }],
  exports: [EVENT_LOG],
})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async onApplicationShutdown(): Promise<void> {
    await this.eventLog.close();
  }
}
