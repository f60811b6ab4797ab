export * from './health.module';
export * from './health.controller';
export * from './projector-lag';
export * from './lease-protection-status';
export * from './metrics-sources';
