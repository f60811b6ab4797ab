import type { DataSource, EntityManager } from 'typeorm';

/** Inside the callback use only `tx`: on the embedded database another connection would wait forever. */
export const inTransaction = <T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> =>
  dataSource.transaction('READ COMMITTED', work);

export type Queryable = Pick<EntityManager, 'query'>;
