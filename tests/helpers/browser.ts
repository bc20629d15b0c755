// Browser-test helpers: build the client once (when its sources changed), launch Debian's
// Chromium through playwright-core, read xterm.js screens and save screenshots.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_DIR = path.join(ROOT, 'dist/client');
const LOCK_DIR = path.join(ROOT, 'dist/.client-build.lock');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts/screenshots');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

async function isFresh(): Promise<boolean> {
  try {
    const built = (await stat(path.join(CLIENT_DIR, 'index.html'))).mtimeMs;
    const sources = Math.max(
      await newestMtime(path.join(ROOT, 'client')),
      await newestMtime(path.join(ROOT, 'server/protocol')),
      (await stat(path.join(ROOT, 'server/shell/parse.ts'))).mtimeMs, // the terminal's `> ` lines
    );
    return built > sources;
  } catch {
    return false;
  }
}

/** Builds dist/client with Vite unless it is newer than its sources (client/, server/protocol/, the shell parser). Safe across parallel test files. */
export async function ensureClientBuilt(): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    if (await isFresh()) return;
    await mkdir(path.dirname(LOCK_DIR), { recursive: true });
    try {
      await mkdir(LOCK_DIR);
    } catch {
      // Another test file is building (or crashed mid-build: take over after 2 minutes).
      if (waited > 120_000) await rm(LOCK_DIR, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (await isFresh()) return;
      const { build } = await import('vite');
      await build({ configFile: path.join(ROOT, 'client/vite.config.ts'), logLevel: 'error' });
      return;
    } finally {
      await rm(LOCK_DIR, { recursive: true, force: true });
    }
  }
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
