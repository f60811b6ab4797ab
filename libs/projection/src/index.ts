export * from './apply-batch';
export * from './projector';
export * from './projection-metrics';
export * from './projection.module';
