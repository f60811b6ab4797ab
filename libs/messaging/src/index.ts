export * from './event-log';
export * from './cloudevents';
export * from './kafka/kafka-event-log';
export * from './embedded/embedded-event-log';
export * from './key-partition';
export * from './messaging.module';
