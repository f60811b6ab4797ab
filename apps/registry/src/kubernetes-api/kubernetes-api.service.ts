import { Inject, Injectable } from '@nestjs/common';
import { toKubernetesObject, type KubernetesEndpointSlice } from '@lib/domain';
import { EndpointSliceRepository, type StoredSlice } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { ApiError } from '../graphql/format-error';
import { MAX_PAGE_SIZE } from '../queries/list-arguments';
import { WatchService } from '../watch/watch.service';
import type { WatchStream } from '../watch/watch-stream';
import { encodeContinue, matchesFields, type ListOptions } from './list-options';
import type { ReadScope } from './read-access';

export interface EndpointSliceList {
  readonly kind: 'EndpointSliceList';
  readonly apiVersion: 'discovery.k8s.io/v1';
  readonly metadata: { readonly resourceVersion: string; readonly continue?: string };
  readonly items: readonly KubernetesEndpointSlice[];
}

/** A page size that means "everything": a list without `limit` is whole, as upstream (LIMIT takes up to 2^63-1). */
export const ALL_ROWS = Number.MAX_SAFE_INTEGER - 1;

const toObject = ({ slice, resourceVersion }: StoredSlice): KubernetesEndpointSlice => toKubernetesObject(slice, resourceVersion);

/** EndpointSlices over the Kubernetes API: the same repository, mapper and watch as GraphQL. */
@Injectable()
export class KubernetesApiService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
    @Inject(WatchService) private readonly watches: WatchService,
  ) {}

  /** `namespace` already authorized (ReadAccess.authorize). */
  async get(namespace: string, name: string): Promise<KubernetesEndpointSlice> {
    const stored = await this.slices.get(this.dataSource.manager, namespace, name);
    if (!stored) throw new ApiError('NOT_FOUND', `endpointslices.discovery.k8s.io "${name}" not found`);
    return toObject(stored);
  }

  /**
   * One statement, so the items and the resourceVersion come from one snapshot. With a limit, a
   * page of at most MAX_PAGE_SIZE (upstream, too, may return fewer than asked). Every page of a
   * paged list reports the first page's resourceVersion: the oldest state the whole list may
   * reflect, so a watch from it repeats at worst a change a later page already showed, and never
   * misses one.
   */
  async list(scope: ReadScope, options: ListOptions): Promise<EndpointSliceList> {
    const page = await this.slices.page(this.dataSource.manager, {
      namespaces: scope.namespaces,
      selector: options.selector,
      first: options.limit === 0 ? ALL_ROWS : Math.min(options.limit, MAX_PAGE_SIZE),
      after: options.continueFrom?.after,
    });
    const resourceVersion = options.continueFrom?.resourceVersion ?? page.resourceVersion;
    const last = page.items[page.items.length - 1];
    return {
      kind: 'EndpointSliceList',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: { resourceVersion, ...(page.hasNextPage && last ? { continue: encodeContinue({ resourceVersion, after: last.key }) } : {}) },
      items: page.items.filter((item) => matchesFields(options, item.node.slice)).map((item) => toObject(item.node)),
    };
  }

  watch(scope: ReadScope, options: ListOptions): Promise<WatchStream> {
    return this.watches.watch(scope.principal, {
      namespaces: scope.namespaces,
      selector: options.selector,
      resourceVersion: options.resourceVersion,
      allowBookmarks: options.allowWatchBookmarks,
    });
  }
}
