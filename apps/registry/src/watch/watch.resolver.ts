import { Inject } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { parseLabelSelector, validateNamespace, validateServiceName } from '@lib/domain';
import { WatchEvent } from '../endpoint-slices/endpoint-slice.types';
import { parseResourceVersion, WatchService } from './watch.service';
import type { WatchItem } from './watch-stream';

@Resolver(() => WatchEvent)
export class WatchResolver {
  constructor(@Inject(WatchService) private readonly watches: WatchService) {}

  @Subscription(() => WatchEvent, {
    description:
      'No resourceVersion: ADDED for every current matching slice, then live changes. With one: every change after it, in order; too old -> RESOURCE_VERSION_TOO_OLD.',
    // The stream yields mapped events; an error item ends the subscription with that error.
    resolve: (item: WatchItem) => {
      if (item instanceof Error) throw item;
      return item;
    },
  })
  endpointSliceEvents(
    @Args('namespace', { type: () => String, nullable: true }) namespace: string | null,
    @Args('serviceName', { type: () => String, nullable: true }) serviceName: string | null,
    @Args('labelSelector', { type: () => String, nullable: true }) labelSelector: string | null,
    @Args('resourceVersion', { type: () => String, nullable: true }) resourceVersion: string | null,
    @Args('allowBookmarks', { type: () => Boolean, defaultValue: false }) allowBookmarks: boolean,
  ) {
    return this.watches.watch({
      namespace: namespace != null ? validateNamespace(namespace, 'namespace') : undefined,
      serviceName: serviceName != null ? validateServiceName(serviceName, 'serviceName') : undefined,
      selector: labelSelector ? parseLabelSelector(labelSelector) : undefined,
      resourceVersion: resourceVersion != null ? parseResourceVersion(resourceVersion) : undefined,
      allowBookmarks,
    });
  }
}
