export * from './apply-batch';
export * from './projector';
export * from './projection-metrics';
export * from './projection.module';
export * from './slice-change-relay';
export * from './change-log-compactor';
export * from './coalescing-loop';
