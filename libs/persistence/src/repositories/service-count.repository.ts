import type { Queryable } from '../in-transaction';
import { labelSelectorSql, type PageRequest } from './paging';

/** Counts services without reading their states: `services { totalCount }` costs one index scan. */
export class ServiceCountRepository {
  async count(q: Queryable, request: Pick<PageRequest, 'namespaces' | 'selector'>): Promise<number> {
    const params: unknown[] = [];
    const where = [
      request.namespaces ? `namespace = ANY($${params.push(request.namespaces)}::text[])` : 'true',
      request.selector ? labelSelectorSql(request.selector, 'labels', params) : 'true',
    ].join(' AND ');
    const [row]: { total: string }[] = await q.query(`SELECT count(*) AS total FROM registry_services WHERE ${where}`, params);
    return Number(row.total);
  }
}
