import { DomainError, type LabelSelector } from '@lib/domain';

export interface PageCursor {
  readonly namespace: string;
  readonly name: string;
}

export interface PageRequest {
  /** undefined: every namespace. */
  readonly namespaces?: readonly string[];
  readonly selector?: LabelSelector;
  readonly first: number;
  readonly after?: PageCursor;
}

export interface Page<T> {
  readonly items: readonly { readonly key: PageCursor; readonly node: T }[];
  readonly hasNextPage: boolean;
  readonly totalCount: number;
}

export const encodeCursor = (cursor: PageCursor): string =>
  Buffer.from(JSON.stringify([cursor.namespace, cursor.name])).toString('base64url');

export const decodeCursor = (raw: string, field = 'after'): PageCursor => {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { namespace: value[0], name: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError('BAD_USER_INPUT', field, 'must be an endCursor returned by a previous page');
};

/** Translates a parsed Kubernetes label selector into a predicate over a jsonb labels column. */
export const labelSelectorSql = (selector: LabelSelector, column: string, params: unknown[]): string => {
  const clauses = selector.requirements.map((r) => {
    const key = `$${params.push(r.key)}`;
    switch (r.operator) {
      case 'Exists':
        return `${column} ? ${key}`;
      case 'DoesNotExist':
        return `NOT (${column} ? ${key})`;
      case 'In':
        return `(${column} ->> ${key}) = ANY($${params.push(r.values)}::text[])`;
      case 'NotIn':
        return `NOT coalesce((${column} ->> ${key}) = ANY($${params.push(r.values)}::text[]), false)`;
    }
  });
  return clauses.length > 0 ? clauses.join(' AND ') : 'true';
};
