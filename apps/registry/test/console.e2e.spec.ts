import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { eventually, graphql, graphqlOk, isolatedConfig } from '@lib/testing';
import { startRegistry, type RunningRegistry } from './registry-app';
import { buildConsole, foreignRequests, launchChromium, recordRequests } from './support/browser';

// The screenshots the README shows are made by this test: CONSOLE_SCREENSHOTS_DIR=docs/screenshots.
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(__dirname, '..', '..', '..', 'dist', 'screenshots');
// .ci/run exports a random ADMIN_TOKEN; a local run falls back to a test-only one.
const ADMIN = process.env.ADMIN_TOKEN ?? 'admin-secret-for-local-tests-0123456789';
/** How long a change may take to reach the page through the subscription. */
const LIVE_MS = 5000;
/** The first load of a page on a busy machine. */
const LOAD_MS = 15000;

const REGISTER_SERVICE = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { resourceVersion } }`;
const REGISTER_ENDPOINTS = `mutation($inputs: [RegisterEndpointInput!]!) { registerEndpoints(inputs: $inputs) { resourceVersion } }`;

const endpoint = (serviceName: string, address: string, extra: Record<string, unknown> = {}) => ({ serviceName, addresses: [address], ...extra });

/** The text a locator shows once it shows one; waits up to `timeoutMs` for `expected`. */
const textOf = (locator: Locator): Promise<string | undefined> =>
  // Monaco (the IDE's editors) renders spaces as no-break spaces.
  locator.textContent({ timeout: 500 }).then((text) => text?.replace(/\u00a0/g, ' ').trim(), () => undefined);
const expectText = (locator: Locator, expected: string, timeoutMs = LOAD_MS) => eventually(async () => expect(await textOf(locator)).toBe(expected), timeoutMs);
const expectTextContaining = (locator: Locator, expected: string, timeoutMs = LOAD_MS) =>
  eventually(async () => expect(await textOf(locator)).toContain(expected), timeoutMs);
const expectCount = (locator: Locator, count: number, timeoutMs = LOAD_MS) => eventually(async () => expect(await locator.count()).toBe(count), timeoutMs);

const readyCell = (page: Page, service: string) => page.locator(`[data-service="${service}"] [data-testid="ready"]`);

describe('web console and GraphQL IDE in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    buildConsole();
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('with auth off (embedded default)', () => {
    let registry: RunningRegistry;
    let context: BrowserContext;
    let requests: string[];
    const api = (query: string, variables: Record<string, unknown>) => graphqlOk(registry.url, query, variables);

    beforeAll(async () => {
      registry = await startRegistry(await isolatedConfig());
      await api(REGISTER_SERVICE, { input: { name: 'web', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
      await api(REGISTER_SERVICE, { input: { namespace: 'shop', name: 'checkout', ports: [{ name: 'grpc', port: 9090 }] } });
      await api(REGISTER_ENDPOINTS, {
        inputs: [
          endpoint('web', '10.0.0.1', { zone: 'zone-a', nodeName: 'node-1' }),
          endpoint('web', '10.0.0.2', { zone: 'zone-b', nodeName: 'node-2', ttlSeconds: 300 }),
          endpoint('web', '10.0.0.3', { zone: 'zone-b', nodeName: 'node-3', conditions: { ready: false } }),
          { ...endpoint('checkout', '10.1.0.1', { zone: 'zone-a' }), namespace: 'shop' },
        ],
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      requests = recordRequests(context);
    });
    afterAll(async () => {
      await context?.close();
      await registry?.close();
    });

    it('lists the services with their ports, ready/total endpoints and slices', async () => {
      const page = await context.newPage();
      await page.goto(`${registry.url}/`);
      await expectText(readyCell(page, 'default/web'), '2/3');
      expect(await readyCell(page, 'shop/checkout').textContent()).toBe('1/1');
      expect(await page.locator('[data-service="default/web"]').textContent()).toContain('http 80→8080/TCP');
      await page.selectOption('select[aria-label="Namespace"]', 'shop');
      expect(await page.locator('[data-service]').count()).toBe(1);
      await page.selectOption('select[aria-label="Namespace"]', '');
      await page.fill('input[type="search"]', 'web');
      expect(await page.locator('[data-service]').count()).toBe(1);
      await page.fill('input[type="search"]', '');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-services.png') });
      await page.close();
    });

    it('shows a service page with the not-ready endpoint marked, its lease, and an endpoint history', async () => {
      const page = await context.newPage();
      await page.goto(`${registry.url}/`);
      await page.click('[data-service="default/web"] a');
      const notReady = page.locator('[data-endpoint="10.0.0.3"]');
      await expectText(notReady.locator('[data-testid="conditions"]'), 'NOT READY');
      expect(await notReady.getAttribute('class')).toContain('not-ready');
      expect(await page.locator('[data-endpoint="10.0.0.1"] [data-testid="conditions"]').textContent()).toBe('ready');
      // The lease column comes from its own query, which may answer after the endpoints are shown.
      await expectTextContaining(page.locator('[data-endpoint="10.0.0.2"]'), 'ttl 300s');
      expect(await page.locator('[data-endpoint="10.0.0.2"]').textContent()).toContain('node-2');
      await page.click('[data-endpoint="10.0.0.3"] a');
      await expectTextContaining(page.locator('[data-testid="endpoint-history"] tbody tr').first(), 'EndpointRegistered');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-service.png'), fullPage: true });
      await page.close();
    });

    it('follows registrations made through the API without a reload', async () => {
      const page = await context.newPage();
      await page.goto(`${registry.url}/`);
      await expectText(readyCell(page, 'default/web'), '2/3');
      // A reload would lose this marker.
      await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
      await api(REGISTER_ENDPOINTS, { inputs: [endpoint('web', '10.0.0.4')] });
      await expectText(readyCell(page, 'default/web'), '3/4', LIVE_MS);
      await api(REGISTER_SERVICE, { input: { namespace: 'shop', name: 'cart', ports: [{ port: 8080 }] } });
      await expectTextContaining(page.locator('[data-service="shop/cart"]'), '8080/TCP', LIVE_MS);
      expect(await readyCell(page, 'shop/cart').textContent()).toBe('0/0');
      expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same document');
      await page.close();
    });

    it('drains an endpoint and deregisters one after a confirmation', async () => {
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${registry.url}/#/services/default/web`);
      await page.locator('[data-endpoint="10.0.0.1"] button', { hasText: 'Drain' }).click();
      await expectText(page.locator('[data-endpoint="10.0.0.1"] [data-testid="conditions"]'), 'NOT READY', LIVE_MS);
      await page.locator('[data-endpoint="10.0.0.1"] button', { hasText: 'Set ready' }).click();
      await expectText(page.locator('[data-endpoint="10.0.0.1"] [data-testid="conditions"]'), 'ready', LIVE_MS);
      await page.locator('[data-endpoint="10.0.0.4"] button', { hasText: 'Deregister' }).click();
      await expectCount(page.locator('[data-endpoint="10.0.0.4"]'), 0, LIVE_MS);
      await page.close();
    });

    it('opens the GraphQL IDE at /graphql with an editor, offline', async () => {
      const page = await context.newPage();
      const response = await page.goto(`${registry.url}/graphql`);
      expect(response?.status()).toBe(200);
      await page.locator('.graphiql-container').first().waitFor({ timeout: 30000 });
      await page.locator('.graphiql-query-editor .monaco-editor, .graphiql-query-editor .CodeMirror').first().waitFor({ timeout: 30000 });
      await page.screenshot({ path: join(SCREENSHOTS, 'graphql-ide.png') });
      await page.close();
    });

    it('made no request to any host but the registry', () => {
      expect(requests.length).toBeGreaterThan(10);
      expect(requests.some((url) => url.startsWith('ws://'))).toBe(true);
      expect(foreignRequests(requests, registry.url)).toEqual([]);
    });
  });

  describe('lease protection', () => {
    let registry: RunningRegistry;

    beforeAll(async () => {
      registry = await startRegistry(await isolatedConfig({ LEASE_SWEEP_MS: '200', LEASE_PROTECT_MIN: '5', LEASE_PROTECT_FRACTION: '0.3' }));
    });
    afterAll(async () => {
      await registry?.close();
    });

    it('shows the banner while expiry is held back, and follows its end without a reload', async () => {
      const status = `{ registryStatus { leaseProtection { active } } }`;
      await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'fleet', ports: [{ port: 80 }] } });
      const ids = Array.from({ length: 6 }, (_, i) => `10.9.0.${i + 1}`);
      await graphqlOk(registry.url, REGISTER_ENDPOINTS, { inputs: ids.map((id) => ({ ...endpoint('fleet', id), ttlSeconds: 1, deregisterAfterSeconds: 3600 })) });
      // All six lapse at once: 6 >= LEASE_PROTECT_MIN and over 30 % of the leases.
      await eventually(async () => expect(await graphqlOk(registry.url, status)).toEqual({ registryStatus: { leaseProtection: { active: true } } }), LOAD_MS);

      const page = await browser.newPage();
      try {
        await page.goto(`${registry.url}/`);
        await expectTextContaining(page.locator('[data-testid="lease-protection"]'), 'Lease protection is active');
        // Expiry is held back: all six are still ready (the sweeper claims only what its protection
        // decision counted, so none expires in the moment before protection engages).
        await expectText(readyCell(page, 'default/fleet'), '6/6');
        // Released, the lapsed leases expire: their slice changes bring the status along.
        await graphqlOk(registry.url, 'mutation { releaseLeaseProtection { projectorLag } }');
        await expectText(readyCell(page, 'default/fleet'), '0/6');
        await expectCount(page.locator('[data-testid="lease-protection"]'), 0);
      } finally {
        await page.close();
      }
    });
  });

  describe('with tokens (AUTH_MODE=token)', () => {
    let registry: RunningRegistry;
    let context: BrowserContext;

    beforeAll(async () => {
      registry = await startRegistry(await isolatedConfig({ AUTH_MODE: 'token', ADMIN_TOKEN: ADMIN }));
      const admin = { authorization: `Bearer ${ADMIN}` };
      await graphqlOk(registry.url, REGISTER_SERVICE, { input: { name: 'web', ports: [{ port: 80 }] } }, admin);
      await graphqlOk(registry.url, REGISTER_ENDPOINTS, { inputs: [endpoint('web', '10.0.0.1')] }, admin);
      context = await browser.newContext();
    });
    afterAll(async () => {
      await context?.close();
      await registry?.close();
    });

    const tokenWith = async (scopes: string[]): Promise<string> => {
      const created = await graphqlOk<{ createApiToken: { token: string } }>(
        registry.url,
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
        { input: { name: `console-${scopes.join('-').replace(/[:*]/g, '')}`, scopes } },
        { authorization: `Bearer ${ADMIN}` },
      );
      return created.createApiToken.token;
    };

    it('tells a token its name and scopes (viewer), and reads leases only where it may read', async () => {
      const token = await tokenWith(['read:shop']);
      const viewer = await graphqlOk<{ viewer: { name: string; scopes: string[] } }>(registry.url, '{ viewer { name scopes } }', {}, { authorization: `Bearer ${token}` });
      expect(viewer.viewer).toEqual({ name: 'console-readshop', scopes: ['read:shop'] });
      const refused = await graphql(registry.url, '{ endpointLeases(serviceName: "web") { id } }', {}, { authorization: `Bearer ${token}` });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await graphqlOk(registry.url, '{ endpointLeases(namespace: "shop", serviceName: "none") { id } }', {}, { authorization: `Bearer ${token}` })).toEqual({ endpointLeases: [] });
    });

    it('asks for a token, keeps it for the tab, and offers actions only with write scope', async () => {
      const page = await context.newPage();
      await page.goto(`${registry.url}/#/services/default/web`);
      await page.fill('input[name="token"]', 'not-a-valid-token-0123456789');
      await page.click('button[type="submit"]');
      await expectTextContaining(page.locator('.sign-in .error'), 'unknown or revoked token');

      await page.fill('input[name="token"]', await tokenWith(['read:default']));
      await page.click('button[type="submit"]');
      await expectTextContaining(page.locator('[data-endpoint="10.0.0.1"]'), 'ready');
      expect(await page.locator('[data-endpoint="10.0.0.1"] button').count()).toBe(0);
      // Kept for the tab: a reload stays signed in.
      await page.reload();
      await expectTextContaining(page.locator('[data-endpoint="10.0.0.1"]'), 'ready');

      await page.click('text=Sign out');
      await page.fill('input[name="token"]', await tokenWith(['write:default']));
      await page.click('button[type="submit"]');
      await expectCount(page.locator('[data-endpoint="10.0.0.1"] button', { hasText: 'Drain' }), 1);
      await page.close();
    });

    it('serves the IDE page without a token; its queries and graphql-ws subscriptions carry the one typed into it', async () => {
      const page = await context.newPage();
      expect((await page.goto(`${registry.url}/graphql`))?.status()).toBe(200);
      /** Replaces an editor's text; what Monaco closes by itself after the cursor is removed. */
      const edit = async (editor: Locator, text: string) => {
        await editor.click();
        await page.keyboard.press('Control+A');
        await page.keyboard.insertText(text);
        await page.keyboard.press('Control+Shift+End');
        await page.keyboard.press('Delete');
      };
      await page.getByText('Headers', { exact: true }).click();
      await edit(page.locator('.graphiql-editor-tool .monaco-editor:visible').first(), JSON.stringify({ authorization: `Bearer ${ADMIN}` }));
      await edit(page.locator('.graphiql-query-editor .monaco-editor').first(), 'query { services { totalCount } }');
      await page.locator('.graphiql-execute-button').click();
      await expectTextContaining(page.locator('.graphiql-response'), '"totalCount": 1', LOAD_MS);
      await edit(page.locator('.graphiql-query-editor .monaco-editor').first(), 'subscription { endpointSliceEvents { type object { metadata { name } } } }');
      await page.locator('.graphiql-execute-button').click();
      await expectTextContaining(page.locator('.graphiql-response'), '"ADDED"', LOAD_MS);
      await page.close();
    });
  });
});
