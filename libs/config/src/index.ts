export * from './registry.config';
export * from './config.module';
