import type { RegistryConfig } from '@lib/config';
import { isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';

// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';
const CONSOLE = 'https://console.example';

/** CORS_ORIGINS through the real HTTP server: the GraphQL fast lane and Express give browsers the same grants. */
describe('CORS for browsers on other origins', () => {
  let config: RegistryConfig;
  let registry: RunningRegistry;
  const post = (headers: Record<string, string>) =>
    fetch(`${registry.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  beforeAll(async () => {
    config = await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN, CORS_ORIGINS: CONSOLE });
    registry = await startRegistry(config);
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('grants a preflight from a listed origin, without credentials', async () => {
    const response = await fetch(`${registry.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets a listed origin read answers and refusals, and no other origin', async () => {
    const answered = await post({ origin: CONSOLE, authorization: `Bearer ${ADMIN}` });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ data: { __typename: 'Query' } });
    expect(answered.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(answered.headers.get('vary')).toBe('Origin');

    const refused = await post({ origin: CONSOLE });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(refused.headers.get('vary')).toBe('Origin');

    const other = await post({ origin: 'https://elsewhere.example', authorization: `Bearer ${ADMIN}` });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');

    // An answer's CORS headers depend on the Origin: caches are told so when there is none too.
    const direct = await post({ authorization: `Bearer ${ADMIN}` });
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    expect(direct.headers.get('vary')).toBe('Origin');
  });
});
