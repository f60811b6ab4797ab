import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { EVENT_LOG, type EventLog } from './event-log';
import { KafkaEventLog } from './kafka/kafka-event-log';

@Module({
  providers: [
    {
      provide: EVENT_LOG,
      inject: [REGISTRY_CONFIG],
      useFactory: async (config: RegistryConfig): Promise<EventLog> => {
        if (!config.kafkaBrokers) throw new Error('KAFKA_BROKERS is required outside embedded mode');
        const log = new KafkaEventLog({
          brokers: config.kafkaBrokers,
          clientId: 'endpointslice-registry',
          eventsTopic: config.eventsTopic,
          dlqTopic: config.dlqTopic,
          requestTimeoutMs: config.kafkaRequestTimeoutMs,
        });
        await log.ensureTopics([
          { topic: config.eventsTopic, partitions: config.eventsPartitions },
          { topic: config.dlqTopic, partitions: 1 },
          { topic: config.slicesTopic, partitions: config.eventsPartitions, compacted: true },
        ]);
        return log;
      },
    },
  ],
  exports: [EVENT_LOG],
})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async onApplicationShutdown(): Promise<void> {
    await this.eventLog.close();
  }
}
