// A database outage seen from the browser: the player's command waits, the banner says
// saving is unavailable and retrying, and when the database is back the command's output
// arrives and the banner says so; the room goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { e2eCatalog } from './catalog.js';

let postgres: OwnPostgres;
// Filled in before the world's own beforeAll starts the server on it.
const options: Parameters<typeof browserWorld>[0] = { catalog: e2eCatalog(), game: { retryMs: { first: 50, max: 300 } } };
beforeAll(async () => {
  postgres = await startOwnPostgres();
  options.database = { url: postgres.url };
}, 60_000);
const world = browserWorld(options);
afterAll(async () => {
  await postgres?.remove();
});

describe('a database outage in the browser', () => {
  it('shows that saving is unavailable and carries on when it is back', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.fill('#create-name', 'Solo');
    await startSolo(page);
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    const term = page.getByTestId('terminal');
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/0\$ get\ncounter=\d+ now=0\n1\$$/);

    await postgres.stop();
    await page.keyboard.type('inc\r');
    await expect.poll(() => page.locator('#banner').textContent()).toMatch(/^Saving is unavailable, retrying/);
    await screenshot(page, '60-outage-saving-unavailable');
    expect(await screenText(term)).not.toMatch(/counter=\d+ now=0\n2\$$/);

    await postgres.start();
    await expect.poll(() => screenText(term), { timeout: 15_000 }).toMatch(/1\$ inc\ncounter=\d+ now=0\n2\$$/);
    await expect.poll(() => page.locator('#banner').textContent()).toMatch(/^Saving works again/);
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/2\$ get\ncounter=\d+ now=0\n3\$$/);
  });
});
