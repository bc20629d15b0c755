// Browser-test helpers: build the client once (when its sources changed), launch Debian's
// Chromium through playwright-core, read xterm.js screens and save screenshots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { build } from '../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts/screenshots');

/** Builds dist/client with Vite unless it is newer than its sources (scripts/build.mjs). Safe across parallel test files. */
export async function ensureClientBuilt(): Promise<void> {
  await build(['client'], { ifStale: true });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** The text on an xterm.js screen (DOM renderer rows), one line per row, trailing blanks trimmed. */
export async function screenText(terminal: Locator): Promise<string> {
  const rows = await terminal.locator('.xterm-rows > div').allInnerTexts();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n').trimEnd();
}

/** Focuses a terminal and types into it like a user (keys go through xterm's textarea). */
export async function typeInTerminal(page: Page, terminal: Locator, text: string): Promise<void> {
  await terminal.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

/**
 * Starts a solo run from the lobby (a scenario and a name chosen): the room opens on its
 * briefing, waiting; the player presses Start and the clock runs.
 */
export async function startSolo(page: Page): Promise<void> {
  await page.click('button[data-mode=solo]');
  await page.waitForURL(/\/r\/[A-Z0-9]{8}$/);
  await page.getByTestId('start-solo').click();
  await page.locator('[data-testid=room-status][data-status=running]').waitFor();
}
