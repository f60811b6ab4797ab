export * from './event-log';
export * from './cloudevents';
export * from './kafka/kafka-event-log';
export * from './embedded/embedded-event-log';
export * from './key-partition';
export * from './messaging.module';
export { estimatedBatchBytes, DEFAULT_MAX_RECORD_BYTES } from './kafka/request-size';
export { registerLz4Codec } from './kafka/lz4-codec';
export { hopTrace } from './hop-trace';
