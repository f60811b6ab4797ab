import { Inject, Injectable } from '@nestjs/common';
import { EndpointSliceRepository, type StoredSlice } from '@lib/persistence';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';

/**
 * `Service.endpointSlices` without N+1: the slices of every service a request resolves in the
 * same tick (a page of `services`) are read in one query. One batch per request context, so
 * nothing is cached across requests or callers.
 */
@Injectable()
export class ServiceSlicesLoader {
  private readonly loaders = new WeakMap<object, DataLoader<string, readonly StoredSlice[]>>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EndpointSliceRepository) private readonly slices: EndpointSliceRepository,
  ) {}

  /** The slices of the `namespace/name` service, batched with the other loads of the same request context. */
  load(requestContext: object, key: string): Promise<readonly StoredSlice[]> {
    let loader = this.loaders.get(requestContext);
    if (!loader) {
      loader = new DataLoader(async (keys) => {
        const byService = await this.slices.forServices(this.dataSource.manager, keys);
        return keys.map((k) => byService.get(k) ?? []);
      });
      this.loaders.set(requestContext, loader);
    }
    return loader.load(key);
  }
}
