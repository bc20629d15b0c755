// One browser test file's world: a real server on a throwaway PostgreSQL and Debian's
// Chromium, started before the file's tests and closed after them, with fresh pages.
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureClientBuilt, launchBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

export interface BrowserWorld {
  /** The running server (from beforeAll on). */
  readonly server: TestServer;
  /** A page in a fresh browser context (its own storage), 1280×800, page errors logged. */
  newPage(): Promise<Page>;
}

export function browserWorld(options: Parameters<typeof startTestServer>[0]): BrowserWorld {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    await ensureClientBuilt();
    [server, browser] = await Promise.all([startTestServer(options), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });
  const started = (): { server: TestServer; browser: Browser } => {
    if (!server || !browser) throw new Error('the browser world starts in beforeAll');
    return { server, browser };
  };
  return {
    get server() {
      return started().server;
    },
    async newPage() {
      const world = started();
      const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: world.server.url });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error('page error:', error));
      return page;
    },
  };
}
