import type { ServiceDefinition } from '@grpc/grpc-js';
import type { DiscoveryResponse } from './ads-subscriptions';
import type { XdsResource } from './resource-types';

/** google.protobuf.Any as the loader takes it: already encoded bytes go out as they are. */
export interface EncodedResource {
  readonly type_url: string;
  readonly value: Buffer;
}

export type EncodedResponse = Omit<DiscoveryResponse, 'resources'> & { readonly resources: readonly EncodedResource[] };

/**
 * Encodes each resource once, whatever number of streams it goes to: resources are immutable and
 * shared until their service changes, so a push to many streams (a wildcard stream carries every
 * listener or cluster) copies bytes instead of encoding the same objects again. The encoding is
 * the ADS method's own serializer, applied to a response holding just that resource.
 */
export class ResourceEncoder {
  private readonly encoded = new WeakMap<XdsResource, EncodedResource>();
  private readonly serialize: (response: unknown) => Buffer;
  private readonly deserialize: (bytes: Buffer) => { resources: EncodedResource[] };

  constructor(ads: ServiceDefinition) {
    const method = ads.StreamAggregatedResources;
    this.serialize = method.responseSerialize;
    this.deserialize = method.responseDeserialize;
  }

  response(response: DiscoveryResponse): EncodedResponse {
    return { ...response, resources: response.resources.map((resource) => this.encode(resource)) };
  }

  private encode(resource: XdsResource): EncodedResource {
    let encoded = this.encoded.get(resource);
    if (!encoded) {
      encoded = this.deserialize(this.serialize({ resources: [resource] })).resources[0];
      this.encoded.set(resource, encoded);
    }
    return encoded;
  }
}
