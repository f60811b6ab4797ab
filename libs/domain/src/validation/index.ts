export * from './addresses';
export * from './bulk';
export * from './conditions';
export * from './endpoint-input';
export * from './identifiers';
export * from './names';
export * from './service-input';
