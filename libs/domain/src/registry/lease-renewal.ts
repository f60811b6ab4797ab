import { DomainError } from '../errors';
import { validateEndpointId, validateEndpointIds, validateNamespace, validateServiceName } from '../validation';
import { atIndex } from '../validation/field-path';
import type { EndpointConditionsChanged } from './events';
import type { ServiceState } from './state';

/** heartbeat / heartbeats: renew the leases of endpoints of one service (names already validated). */
export interface RenewLeases {
  readonly namespace: string;
  readonly serviceName: string;
  /** `field` locates each id for errors: `id` or `ids[3]`. */
  readonly endpoints: readonly { readonly id: string; readonly field: string }[];
}

/** heartbeat(namespace, serviceName, id) and heartbeats(namespace, serviceName, ids) arguments -> RenewLeases. */
export const renewLeasesCommand = (
  namespace: string | null | undefined,
  serviceName: string,
  ids: { readonly id: string } | { readonly ids: readonly string[] },
): RenewLeases => ({
  namespace: validateNamespace(namespace, 'namespace'),
  serviceName: validateServiceName(serviceName, 'serviceName'),
  endpoints:
    'id' in ids
      ? [{ id: validateEndpointId(ids.id, 'id'), field: 'id' }]
      : validateEndpointIds(ids.ids, 'ids').map((id, i) => ({ id, field: atIndex('ids', i) })),
});

/** What the leases table reported for an endpoint whose renewal found its lease lapsed or lapsing. */
export interface LapsedRenewal {
  readonly id: string;
  /** The incarnation that lapsed: the restore names it, so it never undoes a newer one. */
  readonly leaseId: string;
}

export const LEASE_RENEWED_REASON = 'lease renewed';

/**
 * Why a renewal cannot be accepted, judged against the projected state: unknown service or
 * endpoint (NOT_FOUND), or an endpoint registered without ttlSeconds (BAD_USER_INPUT).
 * Returns normally when every endpoint has a lease.
 */
export const checkLeaseRenewal = (command: RenewLeases, state: ServiceState | undefined): void => {
  const { namespace, serviceName } = command;
  if (!state) throw new DomainError('NOT_FOUND', 'serviceName', `service ${namespace}/${serviceName} is not registered`);
  for (const { id, field } of command.endpoints) {
    const endpoint = state.endpoints[id];
    if (!endpoint) {
      throw new DomainError('NOT_FOUND', field, `endpoint ${id} is not registered in service ${namespace}/${serviceName}`);
    }
    if (endpoint.ttlSeconds === undefined) {
      throw new DomainError('BAD_USER_INPUT', field, `endpoint ${id} has no lease: register it with ttlSeconds to renew it by heartbeat`);
    }
  }
};

/**
 * The events that turn endpoints ready again after their lease was renewed late. The conditions
 * are those from before the lapse; when the projection has not applied the expiry yet, the
 * endpoint still carries them. Endpoints gone meanwhile get no event.
 */
export const leaseRestoreEvents = (
  command: Pick<RenewLeases, 'namespace' | 'serviceName'>,
  state: ServiceState | undefined,
  lapsed: readonly LapsedRenewal[],
): EndpointConditionsChanged[] =>
  lapsed.flatMap(({ id, leaseId }) => {
    const endpoint = state?.endpoints[id];
    if (!endpoint) return [];
    const conditions = state.leases?.[id]?.lapsed?.conditions ?? endpoint.conditions;
    return [
      {
        type: 'EndpointConditionsChanged',
        data: { namespace: command.namespace, serviceName: command.serviceName, id, conditions, reason: LEASE_RENEWED_REASON, leaseId },
      },
    ];
  });
