// Using the client as its people do: a host working the console by keyboard while the
// candidate types (and tabbing past the players' terminals), hostile and overlong names on a phone-width console, a phone player with
// the on-screen keyboard (Tab, Ctrl-C and arrows from the touch key bar) who loses the
// connection scrolled down, and a solo debrief sent to the printer.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ScenarioCatalog } from '../../server/rooms/runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, SCREENSHOT_DIR, screenText, startSolo, typeInTerminal } from '../helpers/browser.js';
import { e2eCatalog } from './catalog.js';

/** The test scenario with a cluster overview (what hosts and spectators see beside the terminals) and a hint as long as real ones. */
function catalogWithOverview(): ScenarioCatalog {
  const base = e2eCatalog();
  const longHint = { id: 'h3', text: 'A pod is placed by the scheduler after filtering nodes (resources, taints, selectors). A Pending pod with no events was never looked at.', cost: 3 };
  return {
    ...base,
    runtime: (id, seed) => {
      const runtime = base.runtime(id, seed);
      return runtime && { ...runtime, hints: [...runtime.hints, longHint],
        overview: () => ({ nodes: [{ name: 'node-1', status: 'Ready', roles: 'control-plane' }], pods: { Running: 20, Pending: 3 }, events: [] }) };
    },
  };
}

const world = browserWorld({ catalog: catalogWithOverview() });

const sidewaysOverflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
const focused = (page: Page) => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? '');

/** Visible elements whose background is dark (toner on paper), as `tag.class`. */
const darkBackgrounds = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    const rgba = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(getComputedStyle(el).backgroundColor);
    if (box.width === 0 || box.height === 0 || !rgba || rgba[4] === '0') return false;
    return 0.299 * Number(rgba[1]) + 0.587 * Number(rgba[2]) + 0.114 * Number(rgba[3]) < 128;
  }).map((el) => `${el.tagName.toLowerCase()}.${el.className}`));

async function createInterview(host: Page): Promise<string> {
  await host.goto('/');
  await host.fill('#create-name', 'Dana');
  await host.check('#create-spectators');
  await host.click('button[data-mode=interview]');
  await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
  return /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')![1]!;
}

async function join(code: string, name: string, role: 'player' | 'spectator' = 'player'): Promise<Page> {
  const page = await world.newPage();
  await page.goto(`/r/${code}`);
  await page.fill('#rj-name', name);
  await page.selectOption('#rj-role', role);
  await page.getByRole('button', { name: 'Join' }).click();
  return page;
}

describe('usability', () => {
  it('keeps the host\'s keyboard focus through live events; hostile and overlong names stay text and within a phone\'s width', { timeout: 90_000 }, async () => {
    const host = await world.newPage();
    const code = await createInterview(host);
    const candidate = await join(code, 'محمد عبد الرحمن');
    await expect.poll(() => host.locator('.tile').count()).toBe(1);
    await host.getByRole('button', { name: 'Start' }).click();
    const term = candidate.getByTestId('terminal');
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Running');

    // The host is on a hint's Push button (keyboard) when the candidate's command arrives: the
    // console redraws its panes, and the focus stays on that button, not back on the page.
    const push = host.locator('button[data-hint]').first();
    await push.focus();
    const before = await focused(host);
    expect(before).toMatch(/^<button[^>]*data-hint=/);
    // The activity feed is a live region: a new event adds its item, the ones shown stay (else a screen reader re-reads them all).
    const marked = await host.locator('.activity li').evaluateAll((items) => items.map((li) => li.setAttribute('data-was', '')).length);
    expect(marked).toBeGreaterThan(1);
    await typeInTerminal(candidate, term, 'get\r');
    await expect.poll(() => screenText(host.locator('.tile').first())).toMatch(/counter=\d+/);
    await expect.poll(() => host.locator('.activity li').first().textContent()).toMatch(/: get$/);
    expect(await host.locator('.activity li[data-was]').count()).toBe(marked);
    await expect.poll(() => host.getByTestId('players-table').textContent()).toMatch(/1/);
    expect(await focused(host)).toBe(before);
    // Start became Pause in the toolbar under the host's focus: the focus moves to the button in its place.
    await host.getByRole('button', { name: 'Pause' }).focus();
    await host.keyboard.press('Enter');
    await expect.poll(() => focused(host)).toMatch(/>Resume</);
    await host.keyboard.press('Enter');
    await expect.poll(() => focused(host)).toMatch(/>Pause</);

    // The host tabs through the players' read-only terminals (each named for its player), not into one for good.
    const mirror = host.locator('.tile .xterm-helper-textarea').first();
    expect(await mirror.getAttribute('aria-label')).toBe("محمد عبد الرحمن's terminal (read-only)");
    await mirror.focus();
    await host.keyboard.press('Tab');
    expect(await host.evaluate(() => document.activeElement?.closest('.tile'))).toBeNull();

    // The host tools' tabs follow the ARIA tabs pattern: one tab stop, arrows move between tabs.
    await host.getByRole('tab', { name: 'Control' }).focus();
    await host.keyboard.press('ArrowRight');
    expect(await focused(host)).toMatch(/role="tab" id="tab-key"[^>]*aria-selected="true"/);
    expect(await host.getByRole('tabpanel', { name: 'Answer key' }).isVisible()).toBe(true);
    await host.keyboard.press('End');
    await host.keyboard.press('ArrowRight'); // wraps round
    await expect.poll(() => focused(host)).toMatch(/id="tab-control"/);
    expect(await host.locator('[role=tab][tabindex="0"]').count()).toBe(1);

    // Pod counts read apart ("Running 20 · Pending 3", not "Running 20Pending 3").
    await expect.poll(() => host.getByTestId('pod-counts').textContent()).toBe('Running 20 · Pending 3');

    // Two strangers wait to be let in: one named like markup, one a 40-letter word.
    const script = '<script>alert(1)</script>';
    await join(code, script);
    await join(code, 'W'.repeat(40));
    await expect.poll(() => host.locator('button[data-admit]').count()).toBe(2);
    expect(await host.getByTestId('seats').textContent()).toContain(`${script} asks to join (admitting gives them محمد عبد الرحمن's seat)`);
    // Each name is isolated from the sentence around it, so a right-to-left one does not reorder it.
    expect(await host.getByTestId('seats').locator('.requests bdi').allTextContents()).toEqual([script, 'محمد عبد الرحمن', 'W'.repeat(40), 'محمد عبد الرحمن']);
    expect(await host.locator('#app script, #app img').count()).toBe(0);
    for (const [width, height] of [[375, 667], [390, 844]] as const) {
      await host.setViewportSize({ width, height });
      await expect.poll(() => sidewaysOverflow(host)).toBe(0);
    }
    // Long words wrap, but no button's own word does ("Push" stays one line beside a long hint).
    const brokenButtons = () => host.locator('#app button').evaluateAll((buttons) => buttons.filter((b) => {
      const text = b.textContent ?? '';
      return b.getBoundingClientRect().width > 0 && !text.includes(' ') && b.getBoundingClientRect().height > 2.5 * parseFloat(getComputedStyle(b).fontSize);
    }).map((b) => b.textContent));
    expect(await brokenButtons()).toEqual([]);
    await host.setViewportSize({ width: 1280, height: 800 });
    expect(await brokenButtons()).toEqual([]);
    await host.evaluate(() => document.querySelector('[data-testid=seats]')?.scrollIntoView());
    await screenshot(host, 'usability-host-names-375');
  });

  it('lets a phone player use Tab, Ctrl-C and ↑ from the touch key bar, keeps the keyboard up, and shows a lost connection where they are', { timeout: 90_000 }, async () => {
    const desktop = await world.newPage();
    await desktop.goto('/');
    await desktop.fill('#create-name', 'Desk');
    await startSolo(desktop);
    expect(await desktop.getByTestId('touch-keys').isVisible()).toBe(false); // a mouse and a keyboard need no key bar

    const context = await desktop.context().browser()!.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, baseURL: world.server.url });
    const phone = await context.newPage();
    try {
      await phone.goto('/');
      await phone.fill('#create-name', 'Phone');
      await phone.locator('button[data-mode=solo]').tap();
      await phone.waitForURL(/\/r\/[A-Z0-9]{8}$/);
      await phone.getByTestId('start-solo').tap();
      await phone.locator('[data-testid=room-status][data-status=running]').waitFor();
      const term = phone.getByTestId('terminal');
      const keys = phone.getByTestId('touch-keys');
      expect(await keys.isVisible()).toBe(true);
      await term.tap();
      // The on-screen keyboard types text (no key events), then the bar's Tab completes.
      await phone.keyboard.insertText('ge');
      await keys.locator('[data-key=Tab]').tap();
      await expect.poll(() => screenText(term)).toMatch(/0\$ get$/);
      expect(await focused(phone)).toContain('xterm-helper-textarea'); // the tap left the keyboard up
      await phone.keyboard.press('Backspace');
      await phone.keyboard.press('Enter');
      await expect.poll(() => screenText(term)).toMatch(/counter=\d+ now=0\n1\$$/);
      await keys.locator('[data-key="↑"]').tap();
      await expect.poll(() => screenText(term)).toMatch(/1\$ get$/);
      await keys.locator('[data-key=Ctrl-C]').tap();
      await expect.poll(() => screenText(term)).toMatch(/1\$ get\^C\n1\$$/);
      expect(await keys.locator('button').evaluateAll((b) => b.map((x) => x.getAttribute('aria-label')))).toContain('previous command');
      await screenshot(phone, 'usability-phone-keys-375');

      for (const [width, height] of [[375, 667], [390, 844], [667, 375], [844, 390]] as const) {
        await phone.setViewportSize({ width, height });
        await expect.poll(() => sidewaysOverflow(phone)).toBe(0);
      }
      await screenshot(phone, 'usability-phone-landscape-844');

      // Scrolled down to the hints, the player loses the connection: the banner shows on screen.
      await phone.setViewportSize({ width: 375, height: 667 });
      await phone.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
      await context.setOffline(true);
      await expect.poll(() => phone.locator('#banner').textContent()).toMatch(/reconnecting/i);
      const top = await phone.locator('#banner').evaluate((b) => b.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(0);
      await screenshot(phone, 'usability-phone-offline');
      await context.setOffline(false);
      await expect.poll(() => phone.locator('#banner').textContent(), { timeout: 15_000 }).toBe('Reconnected.');
    } finally {
      await context.close();
    }
  });

  it('prints a solo debrief without the dark terminal or buttons', { timeout: 60_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.fill('#create-name', 'Printer');
    await startSolo(page);
    await typeInTerminal(page, page.getByTestId('terminal'), 'get\r');
    await page.getByTestId('give-up').click();
    await page.getByRole('button', { name: 'Yes, give up' }).click();
    await page.getByTestId('debrief').waitFor();

    await page.emulateMedia({ media: 'print' });
    expect(await darkBackgrounds(page)).toEqual([]);
    expect(await page.getByRole('button').filter({ visible: true }).count()).toBe(0);
    expect(await page.getByTestId('debrief').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'usability-debrief-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    await mkdir(path.dirname(SCREENSHOT_DIR), { recursive: true });
    await writeFile(path.join(path.dirname(SCREENSHOT_DIR), 'debrief.pdf'), pdf);
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});
