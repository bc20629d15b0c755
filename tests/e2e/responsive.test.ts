// Every audience's page at phone, tablet, laptop and wide-screen widths: nothing scrolls
// sideways, and a screenshot of each lands in test-artifacts/screenshots/ to look at.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, SCREENSHOT_DIR, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { e2eCatalog } from './catalog.js';

const world = browserWorld({ catalog: e2eCatalog() });
const ARTIFACTS = path.dirname(SCREENSHOT_DIR);
const WIDTHS = [390, 768, 1280, 1920] as const;
const HEIGHT: Record<(typeof WIDTHS)[number], number> = { 390: 844, 768: 1024, 1280: 800, 1920: 1080 };

/** How far the page scrolls sideways (0 when it fits). */
const sidewaysOverflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

/** The columns of the first xterm.js terminal on the page. */
const terminalColumns = (page: Page) =>
  page.evaluate(() => {
    const row = document.querySelector('.xterm-rows > div');
    const screen = document.querySelector('.xterm-screen');
    const measure = document.querySelector('.xterm-char-measure-element');
    if (!row || !screen || !measure) return 0;
    const charWidth = measure.getBoundingClientRect().width / (measure.textContent?.length || 1);
    return Math.round(screen.getBoundingClientRect().width / charWidth);
  });

async function checkWidths(pages: Record<string, Page>): Promise<void> {
  for (const width of WIDTHS) {
    for (const [name, page] of Object.entries(pages)) {
      await page.setViewportSize({ width, height: HEIGHT[width] });
      await page.waitForTimeout(150); // let the ResizeObserver refit the terminals
      expect({ name, width, overflow: await sidewaysOverflow(page) }).toEqual({ name, width, overflow: 0 });
      await screenshot(page, `responsive-${name}-${width}`);
    }
  }
}

describe('layouts at every width', () => {
  it('fit phones, tablets and desktops for lobby, player, host, spectator, replay and report', { timeout: 120_000 }, async () => {
    const lobby = await world.newPage();
    await lobby.goto('/');
    await expect.poll(() => lobby.locator('.scenario').count()).toBe(1);

    const host = await world.newPage();
    await host.goto('/');
    await host.fill('#create-name', 'Dana');
    await host.check('#create-spectators');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const code = /([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')?.[1];

    const player = await world.newPage();
    await player.goto('/');
    await player.fill('#join-code', code!);
    await player.fill('#join-name', 'Min');
    await player.click('form.join button[type=submit]');
    await player.waitForURL(`**/r/${code}`);
    const spectator = await world.newPage();
    await spectator.goto(`/r/${code}`);
    await spectator.fill('#rj-name', 'Obs');
    await spectator.selectOption('#rj-role', 'spectator');
    await spectator.getByRole('button', { name: 'Join' }).click();
    await host.getByRole('button', { name: 'Start' }).click();
    const term = player.getByTestId('terminal');
    await expect.poll(() => player.getByTestId('room-status').textContent()).toBe('Running');
    for (const line of ['get', 'inc', 'get', 'help', 'get']) await typeInTerminal(player, term, `${line}\r`);
    await expect.poll(() => screenText(term)).toMatch(/5\$$/);

    // The candidate is told when the host adds time.
    await host.getByRole('button', { name: '+5 min' }).click();
    await expect.poll(() => player.locator('.toast').allTextContents()).toContain('The host added 5 min to the clock.');
    await checkWidths({ lobby, player, host, spectator });
    // A tablet keeps a full 80-column terminal (the font shrinks before lines wrap).
    await player.setViewportSize({ width: 768, height: 1024 });
    await expect.poll(() => terminalColumns(player)).toBeGreaterThanOrEqual(80);

    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'End' }).click();
    await host.getByRole('link', { name: 'Open report' }).click();
    await host.waitForURL(/\/report\//);
    await expect.poll(() => host.getByTestId('report-player').count()).toBe(1);
    // The panel's printout: 1–2 pages, each score line with its reason, no raw record dump.
    expect(await host.getByTestId('breakdown').textContent()).toContain('root cause');
    expect(await host.locator('.report').innerText()).not.toMatch(/Category|Parts/); // the raw record stays folded
    expect(await host.getByTestId('report-lines').innerText()).not.toContain('`'); // commands in a reason show as code
    expect(await host.locator('[data-testid=report-lines] code').count()).toBeGreaterThan(0);
    const pdf = await host.pdf({ format: 'A4', printBackground: true });
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(path.join(ARTIFACTS, 'report.pdf'), pdf);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(2);
    await host.emulateMedia({ media: 'print' });
    await host.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-print.png'), fullPage: true });
    await host.emulateMedia({ media: 'screen' });
    // The replay opens with the host's seat, kept in that browser's storage.
    const replayPage = await host.context().newPage();
    await replayPage.goto(host.url().replace('/report/', '/replay/'));
    await expect.poll(() => replayPage.getByTestId('scrubber').count()).toBe(1);
    await checkWidths({ report: host, replay: replayPage });
  });

  it('shows the invite link and code in a dialog whose Copy falls back to selecting the link without a clipboard API', { timeout: 60_000 }, async () => {
    const host = await world.newPage();
    await host.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined })); // as on plain HTTP
    await host.goto('/');
    await host.fill('#create-name', 'Dana');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    await host.locator('.controls button.ghost').click();
    const code = await host.getByTestId('invite-code').textContent();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(await host.getByTestId('invite-link').inputValue()).toBe(`${world.server.url}/r/${code}`);
    await host.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => host.getByTestId('invite-status').textContent()).toContain('Ctrl+C');
    const selected = await host.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toBe(`${world.server.url}/r/${code}`);
    await screenshot(host, 'invite-dialog');
    await host.getByRole('button', { name: 'Close' }).click();
    expect(await host.locator('dialog').count()).toBe(0);
  });

  it('links the lobby to the scenario leaderboard, which lists finished solo runs', { timeout: 60_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.fill('#create-name', 'Ranked');
    await startSolo(page);
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    await page.selectOption('#diag-cause', 'b');
    await page.getByRole('button', { name: 'Submit diagnosis' }).click();
    await page.getByRole('button', { name: 'Yes, submit' }).click();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Ended');
    // The solo debrief links to the leaderboard too.
    await expect.poll(() => page.getByTestId('debrief-leaderboard').getAttribute('href')).toBe('/leaderboard/fake');

    await page.goto('/');
    await page.getByTestId('leaderboard-link').click();
    await page.waitForURL(/\/leaderboard\/fake$/);
    await expect.poll(() => page.getByTestId('leaderboard').textContent()).toContain('Ranked');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Best solo runs: Counter incident');
    await checkWidths({ leaderboard: page });
  });
});
