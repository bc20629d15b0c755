// The browser at the server's edge: a player's control characters reach the host's mirror
// shown (`^[`), never obeyed; the pages work under the server's Content-Security-Policy.
import { describe, expect, it } from 'vitest';
import type { ScenarioCatalog } from '../../server/rooms/runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { connect } from '../helpers/server.js';
import { e2eCatalog } from './catalog.js';

/** The e2e scenario plus `evil`, whose output carries raw escapes, as `printf '\r\e[2K…'` prints them. */
function catalogWithEscapes(): ScenarioCatalog {
  const base = e2eCatalog();
  return {
    ...base,
    runtime: (id, seed) => {
      const runtime = base.runtime(id, seed);
      if (!runtime) return undefined;
      return {
        ...runtime,
        runLine: (cluster, session, line) =>
          line === 'evil' ? { output: 'counter=1\r\x1b[2K\x1b[1A\x1b[2K1$ get\x9b2J\n', exitCode: 0 } : runtime.runLine(cluster, session, line),
      };
    },
  };
}

const world = browserWorld({ catalog: catalogWithEscapes() });

describe('the edge in the browser', () => {
  it("shows a player's control characters in the host's mirror instead of obeying them", { timeout: 60_000 }, async () => {
    const host = await world.newPage();
    await host.goto('/');
    await host.fill('#create-name', 'Dana');
    await host.click('button[data-mode=gameday]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const code = /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')?.[1];

    const player = await connect(world.server.url);
    expect((await player.call('room:join', { code, name: 'Eve\x1b[2K' })).ok).toBe(true);
    await host.getByRole('button', { name: 'Start' }).click();
    await player.waitFor((e) => e.type === 'room.started');
    // The line hides a destructive command behind CR + erase-line + a fake prompt.
    expect((await player.call('cmd:run', { line: 'kubectl delete ns prod #\r\x1b[2K0$ kubectl get pods' })).ok).toBe(true);
    expect((await player.call('cmd:run', { line: 'evil' })).ok).toBe(true);

    const tile = host.locator('.tile').first();
    await expect.poll(() => screenText(tile)).toContain('kubectl delete ns prod #^M^[[2K0$ kubectl get pods');
    await expect.poll(() => screenText(tile)).toContain('counter=1^M^[[2K^[[1A^[[2K1$ getM-^[2J');
    expect(await host.locator('body').textContent()).toContain('Eve^[[2K');
    player.close();
  });

  it('runs the lobby, a solo game and the API docs under the CSP with no violation', { timeout: 60_000 }, async () => {
    const page = await world.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`Refused to load (Content Security Policy): ${event.violatedDirective} ${event.blockedURI} on ${location.pathname} from ${event.sourceFile}:${event.lineNumber}`));
    });
    const home = await page.goto('/');
    expect(home?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.fill('#create-name', 'Csp');
    await startSolo(page);
    const term = page.getByTestId('terminal');
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/counter=\d+ now=0/);
    await page.goto('/docs');
    await expect.poll(() => page.locator('.swagger-ui .info .title').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });

  it('answers an unknown URL with a 404 page and a missing room with no Join form', { timeout: 30_000 }, async () => {
    const page = await world.newPage();
    const missing = await page.goto('/no/such/page');
    expect(missing?.status()).toBe(404);
    expect(await page.getByRole('heading').textContent()).toBe('Page not found');
    await page.getByRole('link', { name: 'Back to the lobby' }).click();
    await expect.poll(() => page.locator('#create-name').count()).toBe(1);

    await page.goto('/r/ZZZZ2345');
    await expect.poll(() => page.getByRole('heading').textContent()).toBe('Room not found');
    expect(await page.locator('form').count()).toBe(0);
  });
});
