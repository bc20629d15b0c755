// Seats and scores in real browsers: a new identity waits until the host admits it (into
// the candidate's seat) or refuses it; spectators cannot join unless the host allows them;
// a solo player opts in or out of automatic hints, gives up after confirming, and reads the
// debrief, which no page held before the end.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { SECRET } from '../unit/rooms-fake.js';
import { e2eCatalog } from './catalog.js';
import type { RoomRunner } from '../../server/rooms/runner.js';

const world = browserWorld({ catalog: e2eCatalog() });

async function joinForm(code: string, name: string): Promise<Page> {
  const page = await world.newPage();
  await page.goto(`/r/${code}`);
  await page.fill('#rj-name', name);
  return page;
}

describe('seats in the browser', () => {
  it('a new identity waits for the host, who admits it into the candidate seat or refuses it; no spectators unless allowed', { timeout: 90_000 }, async () => {
    const host = await world.newPage();
    await host.goto('/');
    await expect.poll(() => host.locator('.scenario').getAttribute('aria-checked')).toBe('true');
    await host.fill('#create-name', 'Dana');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const code = /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')![1]!;

    const candidate = await joinForm(code, 'Min');
    // The host did not allow spectators: the form does not offer it.
    await expect.poll(() => candidate.locator('#rj-role option[value=spectator]').isDisabled()).toBe(true);
    await candidate.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Waiting to start');
    await host.getByRole('button', { name: 'Start' }).click();
    const term = candidate.getByTestId('terminal');
    await typeInTerminal(candidate, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/counter=\d+/);

    // The candidate "on another laptop" (a fresh browser, no token) must be let in.
    const laptop = await joinForm(code, 'Min');
    await laptop.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => laptop.locator('h1').textContent()).toBe('Waiting for the host');
    await expect.poll(() => host.getByTestId('seats').textContent()).toContain("Min asks to join (admitting gives them Min's seat)");
    await screenshot(host, '30-host-seat-request');
    await host.locator('button[data-admit]').click();
    // Admitted: the same seat, with its terminal history.
    await expect.poll(() => screenText(laptop.getByTestId('terminal'))).toMatch(/0\$ get\ncounter=\d+/);
    await expect.poll(() => host.getByTestId('seats').textContent()).toContain("admitted into Min's seat");

    // Someone else is refused and told so.
    const stranger = await joinForm(code, 'Eve');
    await stranger.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => host.locator('button[data-refuse]').count()).toBe(1);
    await host.locator('button[data-refuse]').click();
    await expect.poll(() => stranger.locator('.join .error').textContent()).toBe('the host did not let you in');

    // Admitted while its connection was away, a waiting page takes its seat when it reconnects.
    const away = await joinForm(code, 'Min again');
    await away.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => away.locator('h1').textContent()).toBe('Waiting for the host');
    const runner = (await world.server.app.game.registry.findByCode(code)) as RoomRunner;
    const requestId = Object.values(runner.room.requests).find((r) => r.status === 'pending')!.id;
    const hostId = Object.values(runner.room.participants).find((p) => p.role === 'host')!.id;
    world.server.app.game.sockets.io.in(`${runner.room.id}:w:${requestId}`).disconnectSockets(true);
    expect((await runner.act({ participantId: hostId, role: 'host' }, { type: 'admit', requestId })).ok).toBe(true);
    await expect.poll(() => screenText(away.getByTestId('terminal')), { timeout: 5000 }).toMatch(/0\$ get\ncounter=\d+/);

    // The host allows spectators now: the form offers watching, and a spectator joins.
    await host.check('#allow-spectators');
    const watcher = await joinForm(code, 'Obs');
    await expect.poll(() => watcher.locator('#rj-role option[value=spectator]').isDisabled()).toBe(false);
    await watcher.selectOption('#rj-role', 'spectator');
    await watcher.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => screenText(watcher.locator('.tile').first())).toMatch(/counter=\d+/);
    // …and stops it: the spectator is let go.
    await host.uncheck('#allow-spectators');
    await expect.poll(() => watcher.locator('#banner').textContent(), { timeout: 5000 }).toContain('the host does not allow spectators');
    // The host sees everyone who ever joined, spectators included.
    await host.getByTestId('people').locator('summary').click();
    await expect.poll(() => host.getByTestId('people').textContent()).toMatch(/Min · player.*Obs · spectator/);
    await screenshot(host, '31-host-seats');
  });
});

describe('solo debrief in the browser', () => {
  it('opt-in auto-hints, give up after confirming, then the debrief (never before the end)', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.fill('#create-name', 'Solo');
    await page.check('#create-auto-hints');
    await startSolo(page);
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    const roomId = await page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('kubedrill:seat:'))!.slice('kubedrill:seat:'.length));
    const settings = async () => ((await world.server.app.game.registry.get(roomId)) as RoomRunner).room.settings;

    // Opted in at the start, with the price in view; the player may turn it off.
    await expect.poll(() => page.getByTestId('auto-hints').isChecked()).toBe(true);
    expect(await page.locator('label[for=auto-hints]').textContent()).toContain('(it costs 1)');
    await page.getByTestId('auto-hints').uncheck();
    await expect.poll(async () => (await settings()).autoHints).toBe(false);

    const term = page.getByTestId('terminal');
    await typeInTerminal(page, term, 'get\r');
    await expect.poll(() => screenText(term)).toMatch(/counter=\d+/);
    expect(await page.content()).not.toContain(SECRET);

    // Giving up asks first; "keep going" changes nothing.
    await page.getByTestId('give-up').click();
    await page.getByRole('button', { name: 'Keep going' }).click();
    expect(await page.getByTestId('room-status').textContent()).toBe('Running');
    await page.getByTestId('give-up').click();
    await page.getByRole('button', { name: 'Yes, give up' }).click();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Ended');

    const debrief = page.getByTestId('debrief');
    await expect.poll(() => page.getByTestId('debrief-cause').textContent()).toBe('The counter overflowed');
    expect(await debrief.textContent()).toContain(SECRET);
    expect(await page.getByTestId('debrief-evidence').textContent()).toContain('✗ Output of get: get prints a counter far above its usual value');
    // The reason's backticked command shows as code, as in the score lines.
    expect(await page.getByTestId('debrief-evidence').textContent()).toContain('You: observed (get) but not cited');
    expect(await page.getByTestId('debrief-evidence').locator('code').allTextContents()).toEqual(['get']);
    expect(await page.getByTestId('debrief-reference').locator('li').allTextContents()).toEqual(['get', 'wait 5 s', 'inc']);
    expect(await page.getByTestId('debrief-lines').textContent()).toContain('wrong: the counter overflowed');
    await screenshot(page, '32-solo-debrief');

    // A reload shows the debrief again, from the view.
    await page.reload();
    await expect.poll(() => page.getByTestId('debrief-cause').textContent()).toBe('The counter overflowed');
  });
});
