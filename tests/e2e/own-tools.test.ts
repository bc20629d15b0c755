// Bring your own tools in the browser: a solo player downloads a kubeconfig from the room's
// page, the real kubectl v1.29.4 (scripts/fetch-kubectl.mjs) reads the room's cluster with it,
// and the replay lists that request under the player's terminal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot, startSolo } from '../helpers/browser.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';

const kubectl = realKubectlBinary('own-tools browser test');

const world = browserWorld({ catalog: loadScenarioCatalog().catalog, game: { kubeApi: { port: 0, host: '127.0.0.1' } } });
const home = mkdtempSync(join(tmpdir(), 'own-tools-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.skipIf(!kubectl)('own tools in the browser', () => {
  it('downloads a kubeconfig the real kubectl works with, and the replay lists its request', { timeout: 120_000 }, async () => {
    const page = await world.newPage();
    await page.goto('/');
    await page.locator('.scenario[data-id=pending-pods]').click();
    await page.fill('#create-name', 'Ops');
    await startSolo(page);

    const panel = page.getByTestId('own-tools');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-kubeconfig').click()]);
    const code = /\/r\/([A-Z0-9]{8})$/.exec(page.url())![1]!;
    expect(download.suggestedFilename()).toBe(`kubedrill-${code}.kubeconfig`);
    const file = join(home, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toMatch(/server: https:\/\/127\.0\.0\.1:\d+\/rooms\/[0-9a-f-]{36}\n    tls-server-name: kubedrill-apiserver\n/);
    await expect.poll(() => panel.textContent()).toContain(`kubectl --kubeconfig kubedrill-${code}.kubeconfig get pods -A`);
    await screenshot(page, '60-own-tools');

    const { output: nodes, exitCode } = await runKubectl(kubectl!, file, home, 'get nodes -o name');
    expect(exitCode).toBe(0);
    expect(nodes).toMatch(/^(node\/\S+\n)+$/);
    const count = nodes.trim().split('\n').length;

    await page.selectOption('#diag-cause', { index: 1 });
    await page.getByRole('button', { name: 'Submit diagnosis' }).click();
    await page.getByRole('button', { name: 'Yes, submit' }).click();
    await expect.poll(() => page.getByTestId('room-status').textContent()).toBe('Ended');
    await expect.poll(() => panel.isVisible()).toBe(false);

    await page.getByRole('link', { name: 'Watch the replay' }).click();
    await page.waitForURL(/\/replay\//);
    await expect.poll(() => page.locator('.tile [data-testid=api-calls]').textContent()).toBe(`GET nodes (200, ${count} items)`);
    await screenshot(page, '61-replay-own-tools');
  });
});
