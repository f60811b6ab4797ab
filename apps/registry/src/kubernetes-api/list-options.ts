import { DomainError, parseLabelSelector, type LabelSelector } from '@lib/domain';
import { decodeCursor, encodeCursor, type PageCursor } from '@lib/persistence';
import { parseResourceVersion } from '../watch/watch.service';

/** The query parameters of a Kubernetes list or watch (metav1.ListOptions) this API honours. */
export interface ListOptions {
  readonly selector?: LabelSelector;
  /** fieldSelector metadata.name / metadata.namespace: the only fields EndpointSlices index upstream. */
  readonly name?: string;
  readonly namespace?: string;
  /** 0: everything in one answer. */
  readonly limit: number;
  readonly continueFrom?: ContinuePoint;
  /** A watch without one (or with "0", "any version" upstream) starts with ADDED for every slice. */
  readonly resourceVersion?: bigint;
  readonly watch: boolean;
  readonly allowWatchBookmarks: boolean;
  readonly timeoutSeconds?: number;
}

/** Where a paged list resumes, and the resourceVersion its first page reflected. */
export interface ContinuePoint {
  readonly resourceVersion: string;
  readonly after: PageCursor;
}

type Query = Readonly<Record<string, unknown>>;

const text = (query: Query, name: string): string | undefined => {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new DomainError('BAD_USER_INPUT', name, 'must be given once');
  return value;
};

// ParseBool in apimachinery's query conversion: "true"/"1" and "false"/"0".
const flag = (query: Query, name: string): boolean => {
  const value = text(query, name);
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new DomainError('BAD_USER_INPUT', name, 'must be true, false, 1 or 0');
};

const wholeNumber = (query: Query, name: string): number | undefined => {
  const value = text(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new DomainError('BAD_USER_INPUT', name, 'must be a non-negative integer');
  return Number(value);
};

// Upstream's continue token is opaque too; ours carries the first page's resourceVersion so that
// every page of one list reports the same version (see KubernetesApiService.list).
export const encodeContinue = (point: ContinuePoint): string => `${point.resourceVersion}.${encodeCursor(point.after)}`;

const decodeContinue = (raw: string): ContinuePoint => {
  const match = /^(\d{1,19})\.(.+)$/.exec(raw);
  if (!match) throw new DomainError('BAD_USER_INPUT', 'continue', 'must be the metadata.continue of a previous page');
  return { resourceVersion: match[1], after: decodeCursor(match[2], 'continue') };
};

const parseFieldSelector = (raw: string | undefined): { name?: string; namespace?: string } => {
  const fields: { name?: string; namespace?: string } = {};
  for (const term of raw ? raw.split(',') : []) {
    const match = /^\s*(metadata\.name|metadata\.namespace)\s*==?\s*([^,=!]*?)\s*$/.exec(term);
    if (!match) {
      throw new DomainError('BAD_USER_INPUT', 'fieldSelector', `"${term}" is not supported: only metadata.name=<name> and metadata.namespace=<namespace>`);
    }
    if (match[1] === 'metadata.name') fields.name = match[2];
    else fields.namespace = match[2];
  }
  return fields;
};

export const parseListOptions = (query: Query): ListOptions => {
  const labelSelector = text(query, 'labelSelector');
  const continueToken = text(query, 'continue');
  const resourceVersion = text(query, 'resourceVersion');
  const parsedVersion = resourceVersion === undefined ? undefined : parseResourceVersion(resourceVersion);
  return {
    selector: labelSelector ? parseLabelSelector(labelSelector) : undefined,
    ...parseFieldSelector(text(query, 'fieldSelector')),
    limit: wholeNumber(query, 'limit') ?? 0,
    continueFrom: continueToken ? decodeContinue(continueToken) : undefined,
    resourceVersion: parsedVersion === 0n ? undefined : parsedVersion,
    watch: flag(query, 'watch'),
    allowWatchBookmarks: flag(query, 'allowWatchBookmarks'),
    timeoutSeconds: wholeNumber(query, 'timeoutSeconds'),
  };
};

/** The fieldSelector part of a list or watch, checked on each object. */
export const matchesFields = (options: Pick<ListOptions, 'name' | 'namespace'>, metadata: { readonly name: string; readonly namespace: string }): boolean =>
  (options.name === undefined || metadata.name === options.name) && (options.namespace === undefined || metadata.namespace === options.namespace);
