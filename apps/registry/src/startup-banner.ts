import { resolve } from 'node:path';
import type { RegistryConfig } from '@lib/config';

export type RunMode = 'embedded' | 'single-node' | 'kafka';

export interface StartupBanner {
  /** One structured log line, for machines. */
  readonly fields: Record<string, string>;
  /** What a person at the terminal reads and pastes. */
  readonly text: string;
}

export const runMode = (config: RegistryConfig): RunMode =>
  config.kafkaBrokers ? 'kafka' : config.databaseUrl ? 'single-node' : 'embedded';

const withoutPassword = (url: string): string => {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
};

const MODE_TITLES: Readonly<Record<RunMode, string>> = {
  embedded: 'embedded (PGlite + the event log in it, one process; no Kafka, no Postgres server)',
  'single-node': 'single-node Postgres (the event log in Postgres tables, no Kafka)',
  kafka: 'Kafka + Postgres',
};

const FIRST_MUTATION =
  'mutation { registerService(input: {name: \\"web\\", ports: [{name: \\"http\\", port: 80, targetPort: 8080}]}) { resourceVersion } ' +
  'registerEndpoint(input: {serviceName: \\"web\\", addresses: [\\"10.0.0.1\\"], zone: \\"zone-a\\"}) { resourceVersion } }';
const FIRST_QUERY =
  '{ endpointSlices(serviceName: \\"web\\") { resourceVersion nodes { metadata { name } endpoints { addresses conditions { ready } } ports { port } } } }';

const curl = (graphqlUrl: string, document: string, withToken: boolean): string =>
  `curl -s ${graphqlUrl} -H 'content-type: application/json'${withToken ? ' -H "Authorization: Bearer $ADMIN_TOKEN"' : ''} -d '{"query":"${document}"}'`;

const authLine = (config: RegistryConfig, port: number): string =>
  config.access.mode === 'off'
    ? `OFF - anyone who can reach port ${port} can read and change the registry (AUTH_MODE=off)`
    : config.access.adminToken
      ? 'tokens - send "Authorization: Bearer <token>"; ADMIN_TOKEN is the bootstrap admin'
      : 'tokens - but ADMIN_TOKEN is not set, so no token can be created: set ADMIN_TOKEN to a random secret';

export const startupBanner = (config: RegistryConfig, port: number, role: string): StartupBanner => {
  const mode = runMode(config);
  const graphqlUrl = `http://localhost:${port}/graphql`;
  const data =
    mode === 'embedded'
      ? `${resolve(config.dataDir, 'pg')} (Postgres cluster with projection and event log)`
      : mode === 'single-node'
        ? `${withoutPassword(config.databaseUrl as string)} (projection and event log)`
        : `${withoutPassword(config.databaseUrl as string)} (projection); Kafka ${config.kafkaBrokers?.join(',')} topic ${config.eventsTopic} (event log)`;
  const fields = { msg: 'registry started', mode, role, data, graphql: graphqlUrl, auth: config.access.mode };
  const withToken = config.access.mode === 'token';
  const text = [
    '',
    `EndpointSlice Registry (${role}) is up.`,
    `  mode:    ${MODE_TITLES[mode]}`,
    `  data:    ${data}`,
    `  console: http://localhost:${port}/  (web console in a browser)`,
    `  GraphQL: ${graphqlUrl}  (GraphiQL in a browser; WebSocket subscriptions on the same path)`,
    `  auth:    ${authLine(config, port)}`,
    `  DNS:     ${config.dns.port === 0 ? 'off (DNS_PORT=0)' : `${config.host}:${config.dns.port} udp+tcp, zone svc.${config.dns.zone} (no tokens: dig @${config.host} -p ${config.dns.port} web.default.svc.${config.dns.zone})`}`,
    `  xDS:     ${config.xdsPort === 0 ? 'off (XDS_PORT=0)' : `${config.host}:${config.xdsPort} gRPC ADS (proxyless gRPC: xds:///<service>.<namespace>)`}`,
    '',
    'Register a service with one endpoint:',
    `  ${curl(graphqlUrl, FIRST_MUTATION, withToken)}`,
    'List its EndpointSlices:',
    `  ${curl(graphqlUrl, FIRST_QUERY, withToken)}`,
    '',
  ].join('\n');
  return { fields, text };
};
