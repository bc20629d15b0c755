// A game day in three real browser contexts: the facilitator and two players share one
// cluster; the facilitator pauses and resumes, injects a fault everyone sees, and the
// integrity panel records a player leaving the tab.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserWorld } from '../helpers/browser-world.js';
import { screenText, screenshot, typeInTerminal } from '../helpers/browser.js';
import { e2eCatalog } from './catalog.js';

const world = browserWorld({ catalog: e2eCatalog() });
const newPage = () => world.newPage();

async function joinAs(code: string, name: string): Promise<Page> {
  const page = await newPage();
  await page.goto('/');
  await page.fill('#join-code', code);
  await page.fill('#join-name', name);
  await page.click('form.join button[type=submit]');
  await page.waitForURL(`**/r/${code}`);
  return page;
}

/** The counter value the last `get` printed in this terminal. */
async function lastCounter(page: Page): Promise<number> {
  const values = [...(await screenText(page.getByTestId('terminal'))).matchAll(/counter=(\d+)/g)].map((m) => Number(m[1]));
  return values.at(-1)!;
}

describe('game day in the browser', () => {
  it('two players share a cluster; pause, resume, a fault and a tab switch show where they should', { timeout: 90_000 }, async () => {
    const host = await newPage();
    await host.goto('/');
    await expect.poll(() => host.locator('.scenario').getAttribute('aria-checked')).toBe('true');
    await host.fill('#create-name', 'Fran');
    await host.click('button[data-mode=gameday]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const code = /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')![1]!;

    const ana = await joinAs(code, 'Ana');
    const bo = await joinAs(code, 'Bo');
    await expect.poll(() => host.locator('.tile').count()).toBe(2);
    await host.getByRole('button', { name: 'Start' }).click();
    for (const p of [ana, bo]) await expect.poll(() => p.getByTestId('room-status').textContent()).toBe('Running');

    // One cluster: what Ana changes, Bo sees.
    const anaTerm = ana.getByTestId('terminal');
    const boTerm = bo.getByTestId('terminal');
    await typeInTerminal(bo, boTerm, 'get\r');
    await expect.poll(() => screenText(boTerm)).toMatch(/counter=\d+/);
    const before = await lastCounter(bo);
    await typeInTerminal(ana, anaTerm, 'inc\r');
    await expect.poll(() => screenText(anaTerm)).toMatch(/inc\n/);
    await typeInTerminal(bo, boTerm, 'get\r');
    await expect.poll(async () => (await screenText(boTerm)).match(/counter=/g)?.length).toBe(2);
    expect(await lastCounter(bo)).toBe(before * 2); // the test cluster's `inc` doubles the counter

    // Pause: both players see it and their commands are refused until the facilitator resumes.
    await host.getByRole('button', { name: 'Pause' }).click();
    for (const p of [ana, bo]) await expect.poll(() => p.getByTestId('room-status').textContent()).toBe('Paused');
    await typeInTerminal(ana, anaTerm, 'get\r');
    await expect.poll(() => screenText(anaTerm)).toContain('kubedrill: the room is paused');
    await screenshot(ana, '20-gameday-paused');
    await host.getByRole('button', { name: 'Resume' }).click();
    for (const p of [ana, bo]) await expect.poll(() => p.getByTestId('room-status').textContent()).toBe('Running');

    // A fault injected by the facilitator changes the shared cluster.
    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'Inject' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'Injected' }).count()).toBe(1);
    const beforeFault = await lastCounter(bo);
    await typeInTerminal(bo, boTerm, 'get\r');
    await expect.poll(async () => (await screenText(boTerm)).match(/counter=/g)?.length).toBe(3);
    expect(await lastCounter(bo)).toBe(beforeFault + 100);

    // Ana leaves the tab: the facilitator's integrity panel says so.
    await ana.evaluate(() => window.dispatchEvent(new Event('blur')));
    await expect.poll(() => host.getByTestId('signals').textContent()).toMatch(/Ana: .*(focus|tab)/i);
    await screenshot(host, '21-gameday-host');
  });
});
