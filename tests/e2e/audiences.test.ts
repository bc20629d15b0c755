// The product as each audience meets it (issue 16), in real Chromium against a real server:
// the host reads the answer key as prose and a checklist ticked live; a co-host opens the
// console from a link of their own and signs notes, while a player's made-up or reused link
// opens nothing; the host comments at a moment of the replay (markers, next command) and the
// report shows it; a solo clock starts at the player's Start; the keyboard leaves a terminal
// with Esc then Tab; screen-reader mode; axe-core finds nothing serious on any screen.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, screenText, typeInTerminal } from '../helpers/browser.js';
import { e2eCatalog } from './catalog.js';

const world = browserWorld({ catalog: e2eCatalog() });

/** Every socket.io frame a page receives, as text. */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => frames.push(String(payload))));
  return frames;
}

const focusedIsTerminal = (page: Page) => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') ?? false);

describe('each audience', () => {
  it('host and co-host read the key, comment on the replay, and the report shows it', { timeout: 240_000 }, async () => {
    const host = await world.newPage();
    await host.goto('/');
    await expect.poll(() => host.locator('.scenario').count()).toBe(1);
    expect(await axeViolations(host, 'lobby')).toEqual([]);
    await host.fill('#create-name', 'Dana');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const roomId = host.url().split('/').at(-1)!;
    const code = /Invite: ([A-Z0-9]{8})/.exec((await host.locator('.controls button.ghost').textContent()) ?? '')![1]!;

    // The join form shows this room's briefing, rendered (code spans, no backticks), and the status in words.
    const candidate = await world.newPage();
    const candidateFrames = recordFrames(candidate);
    await candidate.goto(`/r/${code}`);
    const briefing = candidate.getByTestId('join-briefing');
    await expect.poll(() => briefing.textContent()).toContain('answers late');
    expect(await briefing.locator('code').textContent()).toBe('get');
    expect(await briefing.textContent()).not.toContain('`');
    expect(await candidate.locator('form.join p.muted').first().textContent()).toContain('Waiting to start');
    await candidate.fill('#rj-name', 'Min');
    await candidate.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => candidate.getByTestId('notice').textContent()).toContain('Waiting for the host');

    // The answer key in words, nothing ticked yet; the authored key only behind its toggle.
    await host.getByRole('tab', { name: 'Answer key' }).click();
    const key = host.getByTestId('answer-key');
    expect(await key.getByTestId('key-cause').textContent()).toBe('The counter overflowed');
    const item = key.locator('li[data-evidence=ev-get]');
    expect(await item.textContent()).toContain('get prints a counter far above its usual value');
    expect(await item.getAttribute('class')).toBe('open');
    expect(await item.getByTestId('seen-by').textContent()).toBe('Not seen yet.');
    expect(await key.getByTestId('key-fixes').textContent()).toContain('the counter is back under 1000');
    expect(await key.getByTestId('raw-key').getAttribute('open')).toBeNull();
    expect(await key.getByTestId('raw-key').locator('summary').textContent()).toBe('Raw answer key (as authored)');

    await host.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Running');
    const term = candidate.getByTestId('terminal');
    await typeInTerminal(candidate, term, 'inc\r');
    await expect.poll(() => screenText(term)).toMatch(/counter=\d+/);
    expect(await item.getAttribute('class')).toBe('open');
    await typeInTerminal(candidate, term, 'get\r');
    // Ticked live, with who saw it and the command that showed it.
    await expect.poll(() => item.getAttribute('class')).toBe('found');
    expect(await item.getByTestId('seen-by').textContent()).toBe('Seen by Min with get');
    await screenshot(host, '40-host-answer-key');
    expect(await axeViolations(candidate, 'play (interview)')).toEqual([]);
    expect(await axeViolations(host, 'host console, answer key')).toEqual([]);

    // A co-host link: its own secret, shown in the invite dialog.
    await host.getByTestId('invite-cohost').click();
    const link = await host.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`/r/${code}#cohost=[A-Za-z0-9_-]{43}$`));
    await host.getByRole('button', { name: 'Close' }).click();

    const cohost = await world.newPage();
    await cohost.goto(link);
    await expect.poll(() => cohost.locator('h1').textContent()).toBe('Join as co-host');
    // The secret leaves the address bar once read.
    expect(cohost.url()).not.toContain('cohost=');
    await cohost.fill('#rj-name', 'Lee');
    await cohost.getByRole('button', { name: 'Open the host console' }).click();
    await cohost.waitForURL(`**/host/${roomId}`);
    await expect.poll(() => screenText(cohost.locator('.tile').first())).toMatch(/\$ get\ncounter=\d+/);
    await cohost.getByRole('tab', { name: 'Notes' }).click();
    await cohost.fill('#pane-notes textarea', 'Reads the output before acting.');
    await cohost.getByRole('button', { name: 'Add note' }).click();
    // Signed, and the first host sees it live.
    await host.getByRole('tab', { name: 'Notes' }).click();
    await expect.poll(() => host.locator('#pane-notes .notes').textContent()).toContain('Lee: Reads the output before acting.');
    await screenshot(cohost, '41-cohost-console');

    // The same link again, or a made-up one, opens nothing.
    for (const [who, url, error] of [['reuse', link, 'used already'], ['forged', `/r/${code}#cohost=${'A'.repeat(43)}`, 'co-host link']] as const) {
      const other = await world.newPage();
      await other.goto(url);
      await other.fill('#rj-name', who);
      await other.getByRole('button', { name: 'Open the host console' }).click();
      await expect.poll(() => other.locator('form.join .error').textContent()).toContain(error);
      expect(other.url()).toContain(`/r/${code}`);
    }

    await candidate.selectOption('#diag-cause', 'b');
    await candidate.getByRole('button', { name: 'Submit diagnosis' }).click();
    await candidate.getByRole('button', { name: 'Yes, submit' }).click();
    await expect.poll(() => candidate.getByTestId('score-withheld').isVisible()).toBe(true);
    await host.getByRole('tab', { name: 'Control' }).click();
    host.once('dialog', (d) => void d.accept());
    await host.getByRole('button', { name: 'End' }).click();
    await expect.poll(() => host.getByTestId('room-status').textContent()).toBe('Ended');

    // Nothing of the checklist or the co-host links reached the candidate.
    const received = candidateFrames.join('\n');
    expect(received).toContain('"type":"room.started"');
    expect(received).not.toMatch(/"evidence":\["ev-get"\]|inviteHash|cohost\.invited|Reads the output/);

    // The replay: markers for commands and the diagnosis, next command, a comment at a moment.
    await host.goto(`/replay/${roomId}`);
    const markers = host.getByTestId('markers');
    await expect.poll(() => markers.locator('[data-kind=command]').count()).toBe(2);
    expect(await markers.locator('[data-kind=diagnosis]').count()).toBe(1);
    // Notes written live mark their moment too (the co-host's).
    expect(await markers.locator('[data-kind=comment]').count()).toBe(1);
    await host.getByTestId('scrubber').fill('0');
    await host.getByTestId('next-command').click();
    await expect.poll(() => screenText(host.locator('.tile').first())).toMatch(/\$ inc\ncounter=\d+ now=0$/);
    const atInc = Number(await host.getByTestId('scrubber').inputValue());
    await host.getByTestId('next-command').click();
    await expect.poll(() => screenText(host.locator('.tile').first())).toMatch(/\$ get\ncounter=\d+ now=0$/);
    expect(Number(await host.getByTestId('scrubber').inputValue())).toBeGreaterThan(atInc);
    expect(await host.getByTestId('next-command').isDisabled()).toBe(true);
    await host.getByTestId('comment-text').fill('Good: looked before touching.');
    await host.getByTestId('add-comment').click();
    await expect.poll(() => host.getByTestId('comments').textContent()).toContain('Dana: Good: looked before touching.');
    expect(await markers.locator('[data-kind=comment]').count()).toBe(2);
    // The replay opens again at the moment commented on.
    await expect.poll(() => screenText(host.locator('.tile').first())).toMatch(/\$ get\ncounter=\d+ now=0$/);
    await screenshot(host, '42-replay-comments');
    expect(await axeViolations(host, 'replay')).toEqual([]);

    await host.goto(`/report/${roomId}`);
    const notes = host.getByTestId('report-notes');
    await expect.poll(() => notes.textContent()).toContain('Dana (replay): Good: looked before touching.');
    expect(await notes.textContent()).toContain('Lee: Reads the output before acting.');
    expect(await axeViolations(host, 'report')).toEqual([]);
  });

  it('solo: the clock starts at Start; Esc then Tab leaves the terminal; screen-reader mode', { timeout: 90_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('.scenario').getAttribute('aria-checked')).toBe('true');
    await page.fill('#create-name', 'Sol');
    await page.click('button[data-mode=solo]');
    await page.waitForURL(/\/r\/[A-Z0-9]{8}$/);
    // Reading the briefing costs no time.
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Waiting to start');
    expect(await page.getByTestId('notice').textContent()).toContain('Read the briefing');
    expect(await page.getByTestId('timer').textContent()).toBe('10:00');
    await page.waitForTimeout(1500);
    expect(await page.getByTestId('timer').textContent()).toBe('10:00');
    expect(await axeViolations(page, 'play (solo, before Start)')).toEqual([]);
    await page.getByTestId('start-solo').click();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Running');
    await expect.poll(() => page.getByTestId('timer').textContent()).toBe('9:59');
    expect(await focusedIsTerminal(page)).toBe(true);

    // Tab completes in the terminal; Esc then Tab moves on, Shift+Tab comes back.
    const term = page.getByTestId('terminal');
    await typeInTerminal(page, term, 'ge');
    await page.keyboard.press('Tab');
    await expect.poll(() => screenText(term)).toMatch(/0\$ get$/m);
    expect(await focusedIsTerminal(page)).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await focusedIsTerminal(page)).toBe(false);
    expect(await screenText(term)).toMatch(/0\$ get$/); // the Tab typed nothing
    await page.keyboard.press('Shift+Tab');
    expect(await focusedIsTerminal(page)).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedIsTerminal(page)).toBe(false);
    // The way out is the terminal's description, and written in the Keyboard menu.
    const describedBy = await term.locator('.xterm-helper-textarea').getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toContain('Esc then Tab');

    // Screen-reader mode: xterm's accessible rows, kept for the next terminal too.
    expect(await term.locator('.xterm-accessibility').count()).toBe(0);
    await page.locator('.keyboard-menu summary').click();
    await page.getByTestId('screen-reader').check();
    await expect.poll(() => term.locator('.xterm-accessibility-tree').textContent()).toContain('get');
    await page.reload();
    await expect.poll(() => page.getByTestId('terminal').locator('.xterm-accessibility-tree').count()).toBe(1);
    expect(await axeViolations(page, 'play (solo, screen-reader mode)')).toEqual([]);
  });
});
