export * from './event-log';
export * from './cloudevents';
export * from './kafka/kafka-event-log';
export * from './messaging.module';
