import { ConfigError, loadRegistryConfig } from './registry.config';

const external = { DATABASE_URL: 'postgres://u@db:5432/registry', KAFKA_BROKERS: 'k1:9092,k2:9092' };

describe('loadRegistryConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadRegistryConfig({})).toEqual({
      port: 4000,
      xdsPort: 18000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      kafkaBrokers: undefined,
      kafkaRequestTimeoutMs: 3000,
      eventsTopic: 'registry.events.v1',
      slicesTopic: 'registry.endpointslices.v1',
      dlqTopic: 'registry.events.dlq.v1',
      eventsPartitions: 12,
      projectorGroupId: 'registry-projector',
      maxEndpointsPerSlice: 100,
      projectorCacheEndpoints: 50000,
      projectionWaitMs: 5000,
      dataDir: './data',
      watchHistorySeconds: 604800,
      watchBufferEvents: 10000,
      watchBookmarkIntervalMs: 5000,
      access: {
        mode: 'off',
        adminToken: undefined,
        rateLimitPerSecond: 200,
        maxBodyBytes: 2097152,
        maxQueryDepth: 12,
        maxQueryCost: 50000,
        maxSubscriptionsPerConnection: 100,
        maxSubscriptionsPerToken: 2000,
        corsOrigins: [],
        introspection: true,
      },
      leases: { sweepMs: 1000, protectFraction: 0.3, protectMin: 20, renewCoalesceMs: 200 },
      kafkaMaxRecordBytes: 1048576,
      postgres: { statementTimeoutMs: 5000, lockTimeoutMs: 3000, idleInTransactionTimeoutMs: 60000, connectTimeoutMs: 3000, queryTimeoutMs: 6000, keepAliveMs: 10000 },
      graphqlHttpPipeline: 'direct',
      dns: { port: 8600, zone: 'cluster.local', ttlSeconds: 5 },
    });
  });

  it('reads the GraphQL-over-HTTP pipeline and names the variable when it is wrong', () => {
    expect(loadRegistryConfig({ GRAPHQL_HTTP_PIPELINE: 'apollo' }).graphqlHttpPipeline).toBe('apollo');
    expect(() => loadRegistryConfig({ GRAPHQL_HTTP_PIPELINE: 'fast' })).toThrow('GRAPHQL_HTTP_PIPELINE: expected "direct" or "apollo", got "fast"');
  });

  it('reads the DNS settings; 0 turns DNS off, and the zone is compared in lower case without its trailing dot', () => {
    expect(loadRegistryConfig({ DNS_PORT: '0', DNS_ZONE: 'Registry.Example.', DNS_TTL_SECONDS: '30' }).dns).toEqual({ port: 0, zone: 'registry.example', ttlSeconds: 30 });
  });

  it('reads the Postgres timeouts and keeps the client-side one above the statement timeout', () => {
    expect(loadRegistryConfig({ PG_STATEMENT_TIMEOUT_MS: '2000', PG_QUERY_TIMEOUT_MS: '2500', PG_KEEPALIVE_MS: '5000' }).postgres).toMatchObject({
      statementTimeoutMs: 2000,
      queryTimeoutMs: 2500,
      keepAliveMs: 5000,
    });
    expect(() => loadRegistryConfig({ PG_STATEMENT_TIMEOUT_MS: '9000' })).toThrow('PG_QUERY_TIMEOUT_MS: must be greater than PG_STATEMENT_TIMEOUT_MS (9000), got 6000');
    expect(() => loadRegistryConfig({ PG_LOCK_TIMEOUT_MS: 'soon' })).toThrow('PG_LOCK_TIMEOUT_MS: expected an integer');
    expect(() => loadRegistryConfig({ KAFKA_MAX_RECORD_BYTES: '10' })).toThrow('KAFKA_MAX_RECORD_BYTES: expected an integer in 4096..104857600');
  });

  it('reads durations in seconds, minutes, hours and days', () => {
    expect(loadRegistryConfig({ WATCH_HISTORY: '90s' }).watchHistorySeconds).toBe(90);
    expect(loadRegistryConfig({ WATCH_HISTORY: '12h' }).watchHistorySeconds).toBe(43200);
  });

  it('closes access by default outside embedded mode, and listens on loopback only while it is open', () => {
    expect(loadRegistryConfig(external).access.mode).toBe('token');
    expect(loadRegistryConfig(external).host).toBe('0.0.0.0');
    expect(loadRegistryConfig({ ...external, AUTH_MODE: 'off' }).host).toBe('127.0.0.1');
    expect(loadRegistryConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadRegistryConfig({ ...external, AUTH_MODE: 'off' }).access.mode).toBe('off');
  });

  it('reads the lease settings', () => {
    expect(
      loadRegistryConfig({ LEASE_SWEEP_MS: '250', LEASE_PROTECT_FRACTION: '.5', LEASE_PROTECT_MIN: '3', LEASE_RENEW_COALESCE_MS: '0' }).leases,
    ).toEqual({ sweepMs: 250, protectFraction: 0.5, protectMin: 3, renewCoalesceMs: 0 });
    expect(loadRegistryConfig({ LEASE_PROTECT_FRACTION: '1' }).leases.protectFraction).toBe(1);
  });

  it('reads brokers and the database', () => {
    expect(loadRegistryConfig(external)).toMatchObject({ kafkaBrokers: ['k1:9092', 'k2:9092'], databaseUrl: external.DATABASE_URL });
  });

  it.each([
    [{ MAX_ENDPOINTS_PER_SLICE: '0' }, /MAX_ENDPOINTS_PER_SLICE: expected an integer in 1..1000/],
    [{ MAX_ENDPOINTS_PER_SLICE: '1001' }, /MAX_ENDPOINTS_PER_SLICE/],
    [{ PORT: 'http' }, /PORT: expected an integer/],
    [{ XDS_PORT: '70000' }, /XDS_PORT: expected an integer in 0\.\.65535/],
    [{ EVENTS_PARTITIONS: '-1' }, /EVENTS_PARTITIONS/],
    [{ ...external, KAFKA_BROKERS: 'k1' }, /KAFKA_BROKERS: expected host:port/],
    [{ DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL: expected a postgres/],
    [{ EVENTS_TOPIC: 'bad topic' }, /EVENTS_TOPIC/],
    [{ KAFKA_BROKERS: 'k1:9092' }, /KAFKA_BROKERS is set but DATABASE_URL is not/],
    [{ WATCH_HISTORY: '7 days' }, /WATCH_HISTORY: expected a positive duration/],
    [{ AUTH_MODE: 'maybe' }, /AUTH_MODE: expected "token" or "off"/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN: must be at least 16 characters/],
    [{ CORS_ORIGINS: 'example.com' }, /CORS_ORIGINS/],
    [{ LEASE_SWEEP_MS: '10' }, /LEASE_SWEEP_MS: expected an integer in 50..60000/],
    [{ LEASE_PROTECT_FRACTION: '0' }, /LEASE_PROTECT_FRACTION: expected a fraction greater than 0 and at most 1/],
    [{ LEASE_PROTECT_FRACTION: '1.5' }, /LEASE_PROTECT_FRACTION/],
    [{ LEASE_PROTECT_FRACTION: '30%' }, /LEASE_PROTECT_FRACTION/],
    [{ LEASE_PROTECT_MIN: '0' }, /LEASE_PROTECT_MIN: expected an integer in 1\.\.10000000/],
    [{ LEASE_RENEW_COALESCE_MS: '-5' }, /LEASE_RENEW_COALESCE_MS/],
    [{ GRAPHQL_INTROSPECTION: 'no' }, /GRAPHQL_INTROSPECTION: expected "on" or "off"/],
    [{ DNS_PORT: '70000' }, /DNS_PORT: expected an integer in 0\.\.65535/],
    [{ DNS_ZONE: 'cluster..local' }, /DNS_ZONE: expected a domain name/],
    [{ DNS_ZONE: 'under_score.local' }, /DNS_ZONE/],
    [{ DNS_TTL_SECONDS: '-1' }, /DNS_TTL_SECONDS: expected an integer in 0\.\.86400/],
  ])('stops on %p naming the variable and the rule', (env, message) => {
    expect(() => loadRegistryConfig(env)).toThrow(ConfigError);
    expect(() => loadRegistryConfig(env)).toThrow(message);
  });
});
