import { DomainError } from '../errors';
import { isDns1123Label } from '../validation/names';

export type Scope =
  | { readonly kind: 'admin' }
  | { readonly kind: 'read' | 'write'; readonly namespace: string };

const SCOPE_RULE = 'must be "admin", "read:<namespace>" or "write:<namespace>", where <namespace> is a DNS-1123 label or "*"';

export const parseScope = (raw: string, field: string): Scope => {
  if (raw === 'admin') return { kind: 'admin' };
  const match = /^(read|write):(.+)$/.exec(raw);
  if (!match || (match[2] !== '*' && !isDns1123Label(match[2]))) throw new DomainError('BAD_USER_INPUT', field, SCOPE_RULE);
  return { kind: match[1] as 'read' | 'write', namespace: match[2] };
};

export const parseScopes = (raw: readonly string[], field: string): Scope[] => {
  if (raw.length === 0) throw new DomainError('BAD_USER_INPUT', field, 'must grant at least one scope');
  return raw.map((scope, i) => parseScope(scope, `${field}[${i}]`));
};

export const formatScope = (scope: Scope): string => (scope.kind === 'admin' ? 'admin' : `${scope.kind}:${scope.namespace}`);

const covers = (scope: Scope, namespace: string) => scope.kind === 'admin' || scope.namespace === '*' || scope.namespace === namespace;

/** write:<ns> implies read:<ns>; admin implies everything. */
export const canRead = (scopes: readonly Scope[], namespace: string): boolean => scopes.some((s) => covers(s, namespace));

export const canWrite = (scopes: readonly Scope[], namespace: string): boolean =>
  scopes.some((s) => s.kind !== 'read' && covers(s, namespace));

export const isAdmin = (scopes: readonly Scope[]): boolean => scopes.some((s) => s.kind === 'admin');

/** The namespaces a list without a namespace argument may return: every one, or these. */
export const readableNamespaces = (scopes: readonly Scope[]): 'all' | string[] =>
  scopes.some((s) => s.kind === 'admin' || s.namespace === '*')
    ? 'all'
    : [...new Set(scopes.flatMap((s) => (s.kind === 'admin' ? [] : [s.namespace])))].sort();
