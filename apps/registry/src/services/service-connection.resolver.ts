import { Inject } from '@nestjs/common';
import { Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { encodeCursor, ServiceRepository, type Page, type StoredService } from '@lib/persistence';
import { DataSource } from 'typeorm';
import { PageInfo } from '../endpoint-slices/endpoint-slice.types';
import type { ListArguments } from '../queries/list-arguments';
import { toServiceObject } from './service.mapper';
import { Service, ServiceConnection } from './service.types';

/** What `services` returns: its validated arguments; each field reads only what it needs. */
export interface ServiceListing {
  readonly list: ListArguments;
}

/** `totalCount` alone counts rows without reading a definition; `nodes` and `pageInfo` share one page read. */
@Resolver(() => ServiceConnection)
export class ServiceConnectionResolver {
  private readonly pages = new WeakMap<ServiceListing, Promise<Omit<Page<StoredService>, 'totalCount'>>>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceRepository) private readonly services: ServiceRepository,
  ) {}

  @ResolveField(() => [Service])
  async nodes(@Parent() listing: ServiceListing): Promise<Service[]> {
    return (await this.page(listing)).items.map((item) => toServiceObject(item.node));
  }

  @ResolveField(() => PageInfo)
  async pageInfo(@Parent() listing: ServiceListing): Promise<PageInfo> {
    const page = await this.page(listing);
    const last = page.items[page.items.length - 1];
    return { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.key) : undefined };
  }

  @ResolveField(() => Int)
  totalCount(@Parent() listing: ServiceListing): Promise<number> {
    return this.services.count(this.dataSource.manager, listing.list);
  }

  private page(listing: ServiceListing): Promise<Omit<Page<StoredService>, 'totalCount'>> {
    let page = this.pages.get(listing);
    if (!page) {
      page = this.services.page(this.dataSource.manager, listing.list);
      this.pages.set(listing, page);
    }
    return page;
  }
}
