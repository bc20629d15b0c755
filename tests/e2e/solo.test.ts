// Solo in the browser: one click starts a room; the terminal survives a reload and a
// dropped connection; the diagnosis ends the room with a score; the replay scrubs back to
// any moment and shows the terminal as it was then.
import { describe, expect, it } from 'vitest';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { e2eCatalog } from './catalog.js';

const world = browserWorld({ catalog: e2eCatalog() });

describe('solo in the browser', () => {
  it('plays start to finish with a reload, a dropped connection and a replay', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.fill('#create-name', 'Solo');
    await startSolo(page);
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');

    const term = page.getByTestId('terminal');
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/0\$ get\ncounter=\d+ now=0\n1\$$/);
    await page.keyboard.type('inc\r');
    await expect.poll(() => screenText(term)).toMatch(/1\$ inc\ncounter=\d+ now=0\n2\$$/);
    const before = await screenText(term);

    // A reload comes back as the same player with the terminal history intact, each line
    // under the prompt it was typed at.
    await page.reload();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    await expect.poll(() => screenText(term)).toBe(before);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => screenText(term)).toMatch(/2\$ inc$/);
    await page.keyboard.press('Control+u');

    // The server drops every socket: the banner shows, the client resumes where it was.
    world.server.app.game.sockets.io.disconnectSockets(true);
    await expect.poll(() => page.locator('#banner').textContent()).toMatch(/Connection lost|Reconnecting/);
    await screenshot(page, '20-solo-reconnecting');
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 5000 }).toBe('Reconnected.');
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/2\$ get\ncounter=\d+ now=0\n3\$$/);

    // Solo hints come at once, with their cost.
    expect(await page.getByTestId('request-hint').textContent()).toBe('Request a hint (−1)');
    await page.getByTestId('request-hint').click();
    await expect.poll(() => page.getByTestId('hints').textContent()).toContain('−1 look at the counter');
    await screenshot(page, '21-solo-playing');

    await page.selectOption('#diag-cause', 'b');
    await page.fill('#diag-text', 'inc doubles the counter');
    await page.getByRole('button', { name: 'Submit diagnosis' }).click();
    await page.getByRole('button', { name: 'Yes, submit' }).click();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Ended');
    await expect.poll(() => page.getByTestId('score-total').textContent()).toBe('9');
    await screenshot(page, '22-solo-score');

    // Replay: scrub to just after the first command; the terminal shows that moment only.
    await page.getByRole('link', { name: 'Watch the replay' }).click();
    await page.waitForURL(/\/replay\//);
    const replayTerm = page.locator('.tile').first();
    await expect.poll(() => screenText(replayTerm)).toMatch(/^0\$ get\ncounter=\d+ now=0\n1\$ inc\ncounter=\d+ now=0\n2\$ get\ncounter=/);
    await screenshot(page, '23-replay-end');
    await page.locator('.timeline button', { hasText: 'Solo: get' }).first().click();
    await expect.poll(() => screenText(replayTerm)).toMatch(/^0\$ get\ncounter=\d+ now=0$/);
    await screenshot(page, '24-replay-scrubbed');
    await page.getByTestId('scrubber').fill('0');
    await expect.poll(() => screenText(replayTerm)).toBe('');
    // Play at 16× runs to the end again.
    await page.getByRole('button', { name: '16×' }).click();
    await page.getByTestId('play').click();
    await expect.poll(() => screenText(replayTerm), { timeout: 5000 }).toMatch(/1\$ inc\n/);
  });
});
