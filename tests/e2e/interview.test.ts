// A whole interview in two real browser contexts against a real server and PostgreSQL:
// the host creates the room, the candidate joins and types in the terminal, the host sees
// it live, pushes a hint, the candidate diagnoses, the report shows the breakdown.
import { describe, expect, it } from 'vitest';
import { browserWorld } from '../helpers/browser-world.js';
import { screenText, screenshot, typeInTerminal } from '../helpers/browser.js';
import { SECRET } from '../unit/rooms-fake.js';
import { e2eCatalog } from './catalog.js';

const world = browserWorld({ catalog: e2eCatalog() });
const newPage = () => world.newPage();

describe('interview in the browser', () => {
  it('runs from lobby to report', { timeout: 90_000 }, async () => {
    const host = await newPage();
    await host.goto('/');
    await expect.poll(() => host.locator('.scenario').count()).toBe(1);
    await expect.poll(() => host.locator('.scenario').getAttribute('aria-checked')).toBe('true');
    await host.fill('#create-name', 'Dana');
    // The host lets spectators watch this one (off unless chosen).
    await host.check('#create-spectators');
    await screenshot(host, '01-home');
    await host.click('button[data-mode=interview]');
    await host.waitForURL(/\/host\/[0-9a-f-]{36}$/);
    const invite = await host.locator('.controls button.ghost').textContent();
    const code = /Invite: ([A-Z0-9]{8})/.exec(invite ?? '')?.[1];
    expect(code).toBeDefined();

    const candidate = await newPage();
    await candidate.goto('/');
    await candidate.fill('#join-code', code!.toLowerCase());
    await candidate.fill('#join-name', 'Min');
    await candidate.click('form.join button[type=submit]');
    await candidate.waitForURL(`**/r/${code}`);
    await expect.poll(() => candidate.getByTestId('notice').textContent()).toContain('Waiting for the host');
    await expect.poll(() => host.locator('.tile').count()).toBe(1);
    await screenshot(candidate, '02-player-lobby');

    await host.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Running');
    await expect.poll(() => candidate.getByTestId('notice').isHidden()).toBe(true);

    const term = candidate.getByTestId('terminal');
    const hostTile = host.locator('.tile').first();
    // Tab completion: a single candidate completes the word (and a space), like bash.
    await typeInTerminal(candidate, term, 'ge');
    await candidate.keyboard.press('Tab');
    await expect.poll(() => screenText(term)).toMatch(/0\$ get$/m);
    // (the test scenario's shell matches whole lines: drop the space completion added)
    await candidate.keyboard.press('Backspace');
    await candidate.keyboard.press('Enter');
    await expect.poll(() => screenText(term)).toMatch(/counter=\d+ now=0/);
    const seenAt = Date.now();
    await expect.poll(() => screenText(hostTile), { timeout: 1000, interval: 50 }).toMatch(/get\ncounter=\d+ now=0/);
    expect(Date.now() - seenAt).toBeLessThan(1000);

    // Several candidates: listed under the prompt, the line kept.
    await candidate.keyboard.press('Tab');
    await expect.poll(() => screenText(term)).toMatch(/get {2}inc\n1\$$/m);
    // Line editing: type, move left, insert, Home, Delete.
    await candidate.keyboard.type('xnc');
    await candidate.keyboard.press('Home');
    await candidate.keyboard.press('Delete');
    await candidate.keyboard.type('i');
    await candidate.keyboard.press('End');
    await candidate.keyboard.press('Enter');
    await expect.poll(() => screenText(term)).toMatch(/1\$ inc\ncounter=\d+ now=0\n2\$$/);
    // Ctrl-C cancels the line; ↑ recalls history.
    await candidate.keyboard.type('oops');
    await candidate.keyboard.press('Control+c');
    await expect.poll(() => screenText(term)).toMatch(/2\$ oops\^C\n2\$$/);
    await candidate.keyboard.press('ArrowUp');
    await candidate.keyboard.press('ArrowUp');
    await expect.poll(() => screenText(term)).toMatch(/2\$ get$/);
    await candidate.keyboard.press('Control+u');

    // kubectl edit opens an editor; saving runs the edit with the text as one logged command.
    await candidate.keyboard.type('kubectl edit cm counter\r');
    const yaml = candidate.getByTestId('edit-yaml');
    await expect.poll(() => yaml.inputValue()).toContain('step: "2"');
    await yaml.fill((await yaml.inputValue()).replace('step: "2"', 'step: "5"'));
    await screenshot(candidate, '03b-player-edit');
    await candidate.getByRole('button', { name: 'Save and apply' }).click();
    await expect.poll(() => screenText(term)).toMatch(/kubectl edit configmap\/counter -n default {2}\(saved 6 lines\)\nconfigmap\/counter edited \(step: 5\)\n4\$$/);
    await candidate.keyboard.type('kubectl edit cm counter\r');
    await candidate.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => screenText(term)).toMatch(/Edit cancelled, no changes made\.\n5\$$/);
    await candidate.keyboard.press('Control+l');
    await expect.poll(() => screenText(term)).toBe('5$');

    // A paste is an integrity signal the host sees live (never blocked).
    await term.locator('.xterm-helper-textarea').evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'get');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => screenText(term)).toMatch(/5\$ get$/);
    await expect.poll(() => hostTile.locator('.badge.warn').textContent()).toContain('paste');
    await candidate.keyboard.press('Enter');
    await screenshot(candidate, '03-player-terminal');

    // A spectator opens the join link: mirrored terminals and overview, nothing secret.
    const spectator = await newPage();
    await spectator.goto(`/r/${code}`);
    await spectator.fill('#rj-name', 'Obs');
    await spectator.selectOption('#rj-role', 'spectator');
    await spectator.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => screenText(spectator.locator('.tile').first())).toMatch(/\$ get\ncounter=\d+ now=0$/);
    await screenshot(spectator, '11-spectator');

    // The candidate asks; the host pushes a hint; the candidate sees it.
    expect(await candidate.getByTestId('request-hint').textContent()).toBe('Ask the host for a hint');
    await candidate.getByTestId('request-hint').click();
    await expect.poll(() => host.locator('.panel.attention').textContent()).toContain('Min asked for a hint');
    await host.locator('button[data-hint=h1]').click();
    await expect.poll(() => candidate.getByTestId('hints').textContent()).toContain('look at the counter');
    await host.getByRole('tab', { name: 'Notes' }).click();
    await host.fill('#pane-notes textarea', 'Calm and methodical.');
    await host.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => host.locator('#pane-notes .notes').textContent()).toContain('Calm and methodical.');
    await host.getByRole('tab', { name: 'Control' }).click();
    await screenshot(host, '04-host-console');
    await host.getByRole('tab', { name: 'Answer key' }).click();
    await expect.poll(() => host.locator('#pane-key').textContent()).toContain(SECRET);
    await screenshot(host, '05-host-answer-key');

    // Diagnosis: root cause among the plausible causes, text, evidence.
    await candidate.selectOption('#diag-cause', 'b');
    await candidate.fill('#diag-text', 'The counter doubles on every inc.');
    await candidate.check('[data-testid=diagnosis-form] input[type=checkbox]');
    await candidate.fill('#diag-evidence', 'get printed a large counter');
    await screenshot(candidate, '06-player-diagnosis');
    await candidate.getByRole('button', { name: 'Submit diagnosis' }).click();
    await candidate.getByRole('button', { name: 'Yes, submit' }).click();
    await expect.poll(() => candidate.getByTestId('diagnosis').textContent()).toContain('Submitted');
    // Points stay with the host until released: the candidate sees "submitted" only.
    await expect.poll(() => candidate.getByTestId('score-withheld').textContent()).toContain('Your interviewer will share your score');
    expect(await candidate.getByTestId('score-total').count()).toBe(0);

    // The host adjusts the score with a reason, ends, and opens the report.
    await host.getByRole('tab', { name: 'Scores' }).click();
    await host.fill('#pane-scores input.points', '1');
    await host.fill('#pane-scores input[aria-label=reason]', 'Clear explanation');
    await host.getByRole('button', { name: 'Adjust' }).click();
    await expect.poll(() => host.locator('#pane-scores').textContent()).toContain('Clear explanation');
    await screenshot(host, '07-host-scores');
    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'End' }).click();
    await expect.poll(() => candidate.getByTestId('room-status').textContent()).toBe('Ended');
    expect(await candidate.getByTestId('score-total').count()).toBe(0);
    // The host releases the score: the candidate sees it, the adjustment included.
    await host.locator('button[data-release]').click();
    await expect.poll(() => host.getByTestId('released').count()).toBe(1);
    await expect.poll(() => candidate.getByTestId('score-total').textContent()).toBe('10');
    await screenshot(candidate, '08-player-ended');
    await host.getByRole('link', { name: 'Open report' }).click();
    await host.waitForURL(/\/report\//);
    const breakdown = host.getByTestId('breakdown');
    await expect.poll(() => breakdown.textContent()).toContain('root cause');
    // Each score line with its why, in words; the computed and the adjusted total both shown.
    expect(await host.getByTestId('report-lines').textContent()).toContain('correct: the counter overflowed');
    expect(await host.locator('.report-player .total').textContent()).toContain('(computed 9)');
    expect(await host.getByTestId('report-released').textContent()).toContain('shown this score');
    expect(await host.getByTestId('report-total').textContent()).toBe('10');
    expect(await host.getByTestId('report-signals').textContent()).toContain('pasted 3 characters');
    expect(await host.locator('.notes-section').textContent()).toContain('Calm and methodical.');
    await screenshot(host, '09-report');
    await host.emulateMedia({ media: 'print' });
    await screenshot(host, '10-report-print');

    // Neither the candidate's nor the spectator's page ever held the answer key.
    expect(await candidate.content()).not.toContain(SECRET);
    expect(await spectator.content()).not.toContain(SECRET);
  });
});
