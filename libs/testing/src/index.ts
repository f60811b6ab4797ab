export * from './environment';
export * from './eventually';
export * from './graphql-client';
export * from './watch-client';
export * from './projection-repositories';
export * from './prometheus-sample';
export * from './slice-fixture';
