export * from './data-source';
export * from './in-transaction';
export * from './repositories/paging';
export * from './repositories/registry-state.repository';
export * from './repositories/endpoint-slice.repository';
export * from './repositories/slice-change.repository';
export * from './repositories/consumer-offset.repository';
export * from './persistence.module';
