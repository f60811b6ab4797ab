export * from './event-log';
export * from './cloudevents';
export * from './kafka/kafka-event-log';
export * from './embedded/embedded-event-log';
export * from './key-partition';
export * from './messaging.module';
export { estimatedBatchBytes, DEFAULT_MAX_RECORD_BYTES } from './kafka/request-size';
export { hopTrace } from './hop-trace';
