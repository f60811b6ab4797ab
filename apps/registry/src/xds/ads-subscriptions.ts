import { serviceKeyOfResource } from './resource-names';
import { isFullStateType, TYPE_URLS, xdsTypeOf, type XdsResource, type XdsType } from './resource-types';

/** envoy.service.discovery.v3.DiscoveryRequest, the fields the server reads. */
export interface DiscoveryRequest {
  readonly version_info?: string;
  readonly resource_names?: readonly string[];
  readonly type_url?: string;
  readonly response_nonce?: string;
  readonly error_detail?: { readonly code?: number; readonly message?: string } | null;
}

/** envoy.service.discovery.v3.DiscoveryResponse. */
export interface DiscoveryResponse {
  readonly version_info: string;
  readonly type_url: string;
  readonly nonce: string;
  readonly resources: readonly XdsResource[];
}

/** What a request meant, and whether it needs an answer now. */
export type RequestOutcome =
  | { readonly kind: 'unknown-type'; readonly typeUrl: string }
  /** Answers a response that a newer one has replaced: the client will answer the newer one. */
  | { readonly kind: 'stale'; readonly type: XdsType }
  | { readonly kind: 'ack'; readonly type: XdsType; readonly version: string; readonly respond: boolean }
  | { readonly kind: 'nack'; readonly type: XdsType; readonly version: string; readonly message: string; readonly respond: boolean }
  /** A first request, or one sent before any response arrived. */
  | { readonly kind: 'subscribe'; readonly type: XdsType; readonly respond: true };

/** The resources of one type a stream asked for: every one (wildcard) and/or these names. */
export interface Subscription {
  readonly wildcard: boolean;
  readonly names: ReadonlySet<string>;
}

interface TypeState {
  wildcard: boolean;
  names: Set<string>;
  /** Services the named resources belong to: a change elsewhere cannot touch this subscription. */
  services: Set<string>;
  /** Nonce of the last response; only a request carrying it speaks for the current state. */
  nonce?: string;
  /** Last response's resources by name: an unchanged state is not sent again. */
  sent?: ReadonlyMap<string, XdsResource>;
}

const WILDCARD = '*';

/**
 * Resources are immutable and shared by every stream until their service changes, so the same
 * object means the same content; a rebuilt service compares by its text, computed once per object.
 */
const texts = new WeakMap<XdsResource, string>();
const textOf = (resource: XdsResource): string => {
  let text = texts.get(resource);
  if (text === undefined) {
    text = JSON.stringify(resource);
    texts.set(resource, text);
  }
  return text;
};
const sameResource = (a: XdsResource | undefined, b: XdsResource): boolean => a === b || (a !== undefined && textOf(a) === textOf(b));

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * One ADS stream's subscriptions and the state-of-the-world rules of the xDS protocol, with no I/O:
 * requests in, outcomes and responses out.
 *
 * - Wildcard: for Listener and Cluster, a first request without names (or any request naming `*`)
 *   subscribes to every resource of the type, until a request names resources without `*`.
 * - Nonces: each response carries a new one; a request answering an older response is stale and
 *   ignored (the client answers the newer one too, with its current names).
 * - ACK and NACK: a request with the current nonce accepts (no error_detail) or rejects the last
 *   response. Neither is answered unless it changes the subscription: a rejected state is not sent
 *   again, only a later, different one.
 */
export class AdsSubscriptions {
  private readonly types = new Map<XdsType, TypeState>();
  private nonces = 0;

  receive(request: DiscoveryRequest): RequestOutcome {
    const typeUrl = request.type_url ?? '';
    const type = xdsTypeOf(typeUrl);
    if (type === undefined) return { kind: 'unknown-type', typeUrl };
    const nonce = request.response_nonce ?? '';
    const known = this.types.get(type);
    if (known && nonce !== '' && nonce !== known.nonce) return { kind: 'stale', type };
    const state = known ?? { wildcard: false, names: new Set<string>(), services: new Set<string>() };
    this.types.set(type, state);
    const changed = this.subscribe(type, state, request.resource_names ?? [], known === undefined) || known === undefined;
    if (nonce === '') return { kind: 'subscribe', type, respond: true };
    const version = request.version_info ?? '';
    if (request.error_detail) return { kind: 'nack', type, version, message: request.error_detail.message ?? '', respond: changed };
    return { kind: 'ack', type, version, respond: changed };
  }

  /** Applies the names of a request; true when the subscription changed. */
  private subscribe(type: XdsType, state: TypeState, requested: readonly string[], first: boolean): boolean {
    const names = new Set(requested.filter((name) => name !== WILDCARD));
    let wildcard = state.wildcard;
    if (isFullStateType(type)) {
      if (requested.includes(WILDCARD) || (first && requested.length === 0)) wildcard = true;
      else if (requested.length > 0) wildcard = false;
    }
    const changed = wildcard !== state.wildcard || !sameSet(names, state.names);
    state.wildcard = wildcard;
    state.names = names;
    state.services = new Set([...names].map((name) => serviceKeyOfResource(type, name)).filter((key) => key !== undefined));
    return changed;
  }

  /** The types this stream has asked for. */
  subscribedTypes(): XdsType[] {
    return [...this.types.keys()];
  }

  subscription(type: XdsType): Subscription | undefined {
    const state = this.types.get(type);
    return state && { wildcard: state.wildcard, names: state.names };
  }

  /** Whether a change of this service (`namespace/service`) can touch the type's subscription. */
  covers(type: XdsType, serviceKey: string): boolean {
    const state = this.types.get(type);
    return state !== undefined && (state.wildcard || state.services.has(serviceKey));
  }

  /**
   * The response for the type's current resources, or undefined when the last response already
   * said exactly this (unless `always`: an answer to a subscription, which the client waits for).
   */
  respond(type: XdsType, resources: ReadonlyMap<string, XdsResource>, version: string, always: boolean): DiscoveryResponse | undefined {
    const state = this.types.get(type);
    if (!state) return undefined;
    const { sent } = state;
    const unchanged = sent !== undefined && sent.size === resources.size && [...resources].every(([name, resource]) => sameResource(sent.get(name), resource));
    if (unchanged && !always) return undefined;
    state.sent = resources;
    state.nonce = String(++this.nonces);
    return { version_info: version, type_url: TYPE_URLS[type], nonce: state.nonce, resources: [...resources.values()] };
  }
}
