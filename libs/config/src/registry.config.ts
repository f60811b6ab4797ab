export interface RegistryConfig {
  readonly port: number;
  /** XDS_PORT: the Envoy xDS (ADS) gRPC port on `host`; 0 turns xDS off. */
  readonly xdsPort: number;
  /** Listen address: loopback while access control is off, so an open registry is not exposed by accident. */
  readonly host: string;
  /** Unset with KAFKA_BROKERS unset too: embedded mode. */
  readonly databaseUrl?: string;
  readonly kafkaBrokers?: readonly string[];
  readonly kafkaRequestTimeoutMs: number;
  readonly eventsTopic: string;
  readonly slicesTopic: string;
  readonly dlqTopic: string;
  readonly eventsPartitions: number;
  readonly projectorGroupId: string;
  readonly maxEndpointsPerSlice: number;
  /** Endpoints the projector keeps in memory across commands (whole services evicted beyond it). */
  readonly projectorCacheEndpoints: number;
  readonly projectionWaitMs: number;
  readonly dataDir: string;
  /** How long the slice change log is kept for resuming watches. */
  readonly watchHistorySeconds: number;
  /** Events queued for one subscriber before it is cut off as too slow. */
  readonly watchBufferEvents: number;
  readonly watchBookmarkIntervalMs: number;
  readonly access: AccessConfig;
  readonly leases: LeaseConfig;
  /** KAFKA_MAX_RECORD_BYTES: the broker's message.max.bytes; a command's events must fit one record batch. */
  readonly kafkaMaxRecordBytes: number;
  readonly postgres: PostgresTimeouts;
  /**
   * GRAPHQL_HTTP_PIPELINE: `direct` answers POST /graphql with prepared (cached) documents and
   * graphql-js, leaving every other request and every error to Apollo; `apollo` sends all to Apollo.
   */
  readonly graphqlHttpPipeline: 'direct' | 'apollo';
  readonly dns: DnsConfig;
}

/** The DNS server of the API process: records of the Kubernetes DNS specification for a headless service. */
export interface DnsConfig {
  /** DNS_PORT: UDP and TCP; 0 turns DNS off. */
  readonly port: number;
  /** DNS_ZONE: lower case, without the trailing dot (`cluster.local`). */
  readonly zone: string;
  /** DNS_TTL_SECONDS: of every record, and of negative answers (the SOA minimum). */
  readonly ttlSeconds: number;
}

/** Bounds on every Postgres wait, so a stalled database is an error in seconds, never a hang. */
export interface PostgresTimeouts {
  /** PG_STATEMENT_TIMEOUT_MS: the server cancels a statement running longer (statement_timeout). */
  readonly statementTimeoutMs: number;
  /** PG_LOCK_TIMEOUT_MS: the server gives up waiting for a lock (lock_timeout). */
  readonly lockTimeoutMs: number;
  /** PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: the server ends a session left idle inside a transaction. */
  readonly idleInTransactionTimeoutMs: number;
  /** PG_CONNECT_TIMEOUT_MS: opening a connection, or waiting for a free one in the pool. */
  readonly connectTimeoutMs: number;
  /**
   * PG_QUERY_TIMEOUT_MS: the client stops waiting for a reply (pg query_timeout): a frozen server.
   * The longest a request waits for Postgres (stalled-server-guard.ts): below 10 s by default.
   */
  readonly queryTimeoutMs: number;
  /** PG_KEEPALIVE_MS: idle time before TCP keepalive probes; a dead peer's socket is closed. */
  readonly keepAliveMs: number;
}

export interface LeaseConfig {
  /** LEASE_SWEEP_MS: how often the active sweeper looks for lapsed leases. */
  readonly sweepMs: number;
  /** LEASE_PROTECT_FRACTION and LEASE_PROTECT_MIN: the protective-mode threshold. */
  readonly protectFraction: number;
  readonly protectMin: number;
  /** LEASE_RENEW_COALESCE_MS: heartbeats arriving within this window share one statement. */
  readonly renewCoalesceMs: number;
}

export interface AccessConfig {
  /** `token`: every request needs a bearer token; `off`: everyone is an anonymous admin. */
  readonly mode: 'token' | 'off';
  /** Bootstraps the first admin; compared in constant time, never stored. */
  readonly adminToken?: string;
  readonly rateLimitPerSecond: number;
  readonly maxBodyBytes: number;
  readonly maxQueryDepth: number;
  readonly maxQueryCost: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptionsPerToken: number;
  /** Origins allowed by CORS; empty: CORS closed. */
  readonly corsOrigins: readonly string[];
  /** GRAPHQL_INTROSPECTION: schema introspection and the IDE page at GET /graphql (for authenticated callers). */
  readonly introspection: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name}: expected an integer in ${min}..${max}, got "${raw}"`);
  }
  return value;
};

const topic = (env: Env, name: string, fallback: string): string => {
  const value = env[name] || fallback;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
    throw new ConfigError(`${name}: a Kafka topic name is 1..249 characters of a-z, A-Z, 0-9, '.', '_' or '-', got "${value}"`);
  }
  return value;
};

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

const durationSeconds = (env: Env, name: string, fallback: string): number => {
  const raw = env[name] || fallback;
  const match = /^(\d+)([smhd])$/.exec(raw.trim());
  if (!match || Number(match[1]) < 1) {
    throw new ConfigError(`${name}: expected a positive duration like 90s, 30m, 12h or 7d, got "${raw}"`);
  }
  return Number(match[1]) * DURATION_UNITS[match[2]];
};

const brokers = (raw: string | undefined): string[] | undefined => {
  if (!raw) return undefined;
  const list = raw.split(',').map((b) => b.trim());
  for (const broker of list) {
    if (!/^[^\s:,]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(`KAFKA_BROKERS: expected host:port[,host:port...], got "${raw}"`);
    }
  }
  return list;
};

const databaseUrl = (raw: string | undefined): string | undefined => {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL: expected postgres://user[:password]@host[:port]/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL: expected a postgres:// or postgresql:// URL, got scheme "${url.protocol}"`);
  }
  return raw;
};

const onOff = (env: Env, name: string, fallback: 'on' | 'off'): boolean => {
  const raw = env[name] || fallback;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name}: expected "on" or "off", got "${raw}"`);
  return raw === 'on';
};

const oneOf = <T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T => {
  const raw = env[name] || fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name}: expected ${values.map((v) => `"${v}"`).join(' or ')}, got "${raw}"`);
  return raw as T;
};

const accessConfig = (env: Env, embedded: boolean): AccessConfig => {
  const mode = env.AUTH_MODE || (embedded ? 'off' : 'token');
  if (mode !== 'token' && mode !== 'off') throw new ConfigError(`AUTH_MODE: expected "token" or "off", got "${mode}"`);
  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN: must be at least 16 characters (use a random secret, e.g. `openssl rand -hex 32`)');
  }
  const corsOrigins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^\s/]+$/.test(origin)) throw new ConfigError(`CORS_ORIGINS: expected comma-separated origins like https://app.example.com, got "${origin}"`);
  }
  return {
    mode,
    adminToken,
    rateLimitPerSecond: integer(env, 'RATE_LIMIT_PER_SECOND', 200, 1, 1_000_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    maxQueryDepth: integer(env, 'MAX_QUERY_DEPTH', 12, 2, 100),
    maxQueryCost: integer(env, 'MAX_QUERY_COST', 50_000, 10, 100_000_000),
    maxSubscriptionsPerConnection: integer(env, 'MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
    maxSubscriptionsPerToken: integer(env, 'MAX_SUBSCRIPTIONS_PER_TOKEN', 2000, 1, 1_000_000),
    corsOrigins,
    introspection: onOff(env, 'GRAPHQL_INTROSPECTION', 'on'),
  };
};

const fraction = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw.trim()) || !(value > 0 && value <= 1)) {
    throw new ConfigError(`${name}: expected a fraction greater than 0 and at most 1 (like 0.3), got "${raw}"`);
  }
  return value;
};

const leaseConfig = (env: Env): LeaseConfig => ({
  sweepMs: integer(env, 'LEASE_SWEEP_MS', 1000, 50, 60_000),
  protectFraction: fraction(env, 'LEASE_PROTECT_FRACTION', 0.3),
  protectMin: integer(env, 'LEASE_PROTECT_MIN', 20, 1, 10_000_000),
  renewCoalesceMs: integer(env, 'LEASE_RENEW_COALESCE_MS', 200, 0, 5000),
});

const postgresTimeouts = (env: Env): PostgresTimeouts => {
  const timeouts = {
    statementTimeoutMs: integer(env, 'PG_STATEMENT_TIMEOUT_MS', 5000, 100, 3_600_000),
    lockTimeoutMs: integer(env, 'PG_LOCK_TIMEOUT_MS', 3000, 100, 3_600_000),
    idleInTransactionTimeoutMs: integer(env, 'PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60000, 1000, 3_600_000),
    connectTimeoutMs: integer(env, 'PG_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
    queryTimeoutMs: integer(env, 'PG_QUERY_TIMEOUT_MS', 6000, 100, 3_600_000),
    keepAliveMs: integer(env, 'PG_KEEPALIVE_MS', 10000, 1000, 3_600_000),
  };
  // The client-side timeout is the backstop for a server that stopped answering; below the
  // server's own, it would abandon statements the server is still legitimately running.
  if (timeouts.queryTimeoutMs <= timeouts.statementTimeoutMs) {
    throw new ConfigError(
      `PG_QUERY_TIMEOUT_MS: must be greater than PG_STATEMENT_TIMEOUT_MS (${timeouts.statementTimeoutMs}), got ${timeouts.queryTimeoutMs}`,
    );
  }
  return timeouts;
};

const dnsZone = (env: Env): string => {
  const raw = env.DNS_ZONE || 'cluster.local';
  const zone = raw.trim().toLowerCase().replace(/\.$/, '');
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (zone.length > 200 || !zone.split('.').every((part) => label.test(part))) {
    throw new ConfigError(`DNS_ZONE: expected a domain name of DNS labels (a-z, 0-9, '-') like cluster.local, got "${raw}"`);
  }
  return zone;
};

const dnsConfig = (env: Env): DnsConfig => ({
  port: integer(env, 'DNS_PORT', 8600, 0, 65535),
  zone: dnsZone(env),
  ttlSeconds: integer(env, 'DNS_TTL_SECONDS', 5, 0, 86400),
});

const listenHost = (env: Env, authMode: AccessConfig['mode']): string => {
  const host = env.HOST || (authMode === 'off' ? '127.0.0.1' : '0.0.0.0');
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(`HOST: expected an IP address or host name to listen on, got "${host}"`);
  return host;
};

/** Reads and validates every variable once; the only place that touches the environment. */
export const loadRegistryConfig = (env: Env): RegistryConfig => {
  const kafkaBrokers = brokers(env.KAFKA_BROKERS);
  const dbUrl = databaseUrl(env.DATABASE_URL);
  if (kafkaBrokers && !dbUrl) {
    throw new ConfigError(
      'KAFKA_BROKERS is set but DATABASE_URL is not: the projection must live in a Postgres that every ' +
        'API and projector process shares. Set DATABASE_URL too, or unset both for embedded mode.',
    );
  }
  const access = accessConfig(env, !dbUrl && !kafkaBrokers);
  return Object.freeze({
    port: integer(env, 'PORT', 4000, 0, 65535),
    xdsPort: integer(env, 'XDS_PORT', 18000, 0, 65535),
    host: listenHost(env, access.mode),
    databaseUrl: dbUrl,
    kafkaBrokers,
    kafkaRequestTimeoutMs: integer(env, 'KAFKA_REQUEST_TIMEOUT_MS', 3000, 100, 120000),
    eventsTopic: topic(env, 'EVENTS_TOPIC', 'registry.events.v1'),
    slicesTopic: topic(env, 'SLICES_TOPIC', 'registry.endpointslices.v1'),
    dlqTopic: topic(env, 'DLQ_TOPIC', 'registry.events.dlq.v1'),
    eventsPartitions: integer(env, 'EVENTS_PARTITIONS', 12, 1, 10000),
    projectorGroupId: env.PROJECTOR_GROUP_ID || 'registry-projector',
    maxEndpointsPerSlice: integer(env, 'MAX_ENDPOINTS_PER_SLICE', 100, 1, 1000),
    projectorCacheEndpoints: integer(env, 'PROJECTOR_CACHE_ENDPOINTS', 50000, 0, 10000000),
    projectionWaitMs: integer(env, 'PROJECTION_WAIT_MS', 5000, 0, 600000),
    dataDir: env.DATA_DIR || './data',
    watchHistorySeconds: durationSeconds(env, 'WATCH_HISTORY', '7d'),
    watchBufferEvents: integer(env, 'WATCH_BUFFER_EVENTS', 10000, 10, 10_000_000),
    watchBookmarkIntervalMs: integer(env, 'WATCH_BOOKMARK_INTERVAL_MS', 5000, 100, 3_600_000),
    access,
    leases: leaseConfig(env),
    kafkaMaxRecordBytes: integer(env, 'KAFKA_MAX_RECORD_BYTES', 1024 * 1024, 4096, 100 * 1024 * 1024),
    postgres: postgresTimeouts(env),
    graphqlHttpPipeline: oneOf(env, 'GRAPHQL_HTTP_PIPELINE', ['direct', 'apollo'] as const, 'direct'),
    dns: dnsConfig(env),
  });
};
