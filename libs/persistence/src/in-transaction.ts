import type { DataSource, EntityManager } from 'typeorm';

/**
 * A READ COMMITTED transaction: every pooled connection has that as its default (dataSourceOptions),
 * so no SET TRANSACTION round trip follows the BEGIN. Inside the callback use only `tx`: on the
 * embedded database another connection would wait forever.
 */
export const inTransaction = <T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> => dataSource.transaction(work);

export type Queryable = Pick<EntityManager, 'query'>;
