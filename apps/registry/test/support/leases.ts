import { Client } from 'pg';
import type { RegistryConfig } from '@lib/config';
import { graphqlOk } from '@lib/testing';

export const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { eventIds resourceVersion } }`;
export const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { eventIds resourceVersion } }`;
export const HEARTBEAT = `mutation($ns: String, $svc: String!, $id: String!) { heartbeat(namespace: $ns, serviceName: $svc, id: $id) { eventIds resourceVersion } }`;
export const HEARTBEATS = `mutation($ns: String, $svc: String!, $ids: [String!]!) { heartbeats(namespace: $ns, serviceName: $svc, ids: $ids) { eventIds resourceVersion } }`;
export const REGISTRY_STATUS = `query { registryStatus { projectorLag leaseProtection { active since pendingExpirations } } }`;
export const RELEASE_PROTECTION = `mutation { releaseLeaseProtection { projectorLag leaseProtection { active since pendingExpirations } } }`;
const SLICES = `query($svc: String) { endpointSlices(serviceName: $svc, first: 1000) {
  nodes { endpoints { targetRef { name } conditions { ready serving terminating } } } } }`;

export interface Conditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}
export const READY: Conditions = { ready: true, serving: true, terminating: false };
export const LAPSED: Conditions = { ready: false, serving: false, terminating: false };

export interface MutationResult {
  readonly eventIds: string[];
  readonly resourceVersion: string | null;
}

export interface LeaseProtection {
  readonly active: boolean;
  readonly since: string | null;
  readonly pendingExpirations: number;
}

/** Endpoint id -> conditions, as the service's slices show them. */
export const endpointConditions = async (url: string, serviceName: string): Promise<Map<string, Conditions>> => {
  const data = await graphqlOk<{ endpointSlices: { nodes: { endpoints: { targetRef: { name: string }; conditions: Conditions }[] }[] } }>(
    url,
    SLICES,
    { svc: serviceName },
  );
  return new Map(data.endpointSlices.nodes.flatMap((s) => s.endpoints.map((e) => [e.targetRef.name, e.conditions] as const)));
};

export const leaseProtection = async (url: string): Promise<LeaseProtection> =>
  (await graphqlOk<{ registryStatus: { leaseProtection: LeaseProtection } }>(url, REGISTRY_STATUS)).registryStatus.leaseProtection;

export const registerLeased = async (
  url: string,
  serviceName: string,
  ids: readonly string[],
  lease: { ttlSeconds: number; deregisterAfterSeconds?: number },
  extra: Record<string, unknown> = {},
): Promise<MutationResult> =>
  (
    await graphqlOk<{ registerEndpoints: MutationResult }>(url, REGISTER_ENDPOINTS, {
      inputs: ids.map((id) => ({ serviceName, id, addresses: [id], ...lease, ...extra })),
    })
  ).registerEndpoints;

/** Distinct IPv4 addresses for a test's endpoints: `10.<block>.<i / 200>.<i % 200 + 1>`. */
export const addresses = (block: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `10.${block}.${Math.floor(i / 200)}.${(i % 200) + 1}`);

/** A direct connection for what only the database shows: lease rows and the sweeper's status. */
export const leaseDatabase = async (config: RegistryConfig) => {
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  return {
    client,
    lease: async (serviceName: string, id: string) =>
      (
        await client.query<{ lease_id: string; deadline: Date; lapsed_at: Date | null; claim: string | null }>(
          `SELECT lease_id, deadline, lapsed_at, claim FROM endpoint_leases WHERE namespace = 'default' AND service_name = $1 AND endpoint_id = $2`,
          [serviceName, id],
        )
      ).rows[0],
    status: async () =>
      (await client.query<{ leader: string | null; leader_since: Date | null }>('SELECT leader, leader_since FROM lease_sweeper_status')).rows[0],
    now: async () => (await client.query<{ now: Date }>('SELECT now() AS now')).rows[0].now,
    close: () => client.end(),
  };
};
