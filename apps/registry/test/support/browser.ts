import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's chromium (.ci/run installs it), driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', '--no-sandbox'] });

/** Builds the console the way `npm run build` does, before a registry that serves it starts. */
export const buildConsole = (): void => {
  execFileSync(process.execPath, [join(__dirname, '..', '..', '..', 'console', 'build.mjs')], { stdio: 'inherit' });
};

/**
 * Every request a browser context makes (documents, scripts, styles, fetches, WebSockets,
 * workers), to prove that none leaves the registry's host.
 */
export const recordRequests = (context: BrowserContext): string[] => {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  context.on('page', (page) => page.on('websocket', (socket) => urls.push(socket.url())));
  return urls;
};

/** The recorded URLs that went to another host than `registryUrl` (data: and blob: never leave the page). */
export const foreignRequests = (urls: readonly string[], registryUrl: string): string[] => {
  const host = new URL(registryUrl).host;
  return urls.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return parsed.host !== host;
  });
};
