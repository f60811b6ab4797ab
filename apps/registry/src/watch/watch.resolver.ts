import { Inject } from '@nestjs/common';
import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import { parseLabelSelector, validateServiceName } from '@lib/domain';
import { AccessService } from '../access/access.service';
import type { RequestContext } from '../commands/request-context';
import { WatchEvent } from '../endpoint-slices/endpoint-slice.types';
import { parseResourceVersion, WatchService } from './watch.service';
import type { WatchItem } from './watch-stream';
import { BooleanArg } from '../graphql/args';

@Resolver(() => WatchEvent)
export class WatchResolver {
  constructor(
    @Inject(WatchService) private readonly watches: WatchService,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

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
    @BooleanArg('allowBookmarks', false) allowBookmarks: boolean,
    @Context() context: RequestContext,
  ) {
    return this.watches.watch(context.principal, {
      namespaces: this.access.readScope(context.principal, namespace),
      serviceName: serviceName != null ? validateServiceName(serviceName, 'serviceName') : undefined,
      selector: labelSelector ? parseLabelSelector(labelSelector) : undefined,
      resourceVersion: resourceVersion != null ? parseResourceVersion(resourceVersion) : undefined,
      allowBookmarks,
    });
  }
}
