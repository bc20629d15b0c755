// The lobby with the real scenarios: cards easiest first as the server orders them, each
// with its estimated time and tags; a tag button shows only the incidents with that tag
// (the choice moves to a shown one), "all" shows every one again. A stackable incident offers
// the host a second fault; the host console's key then shows both causes.
import { describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { browserWorld } from '../helpers/browser-world.js';
import { screenshot } from '../helpers/browser.js';

const catalog = loadScenarioCatalog().catalog;
const world = browserWorld({ catalog });

describe('lobby', () => {
  it('orders incidents by difficulty, shows estimated time and tags, filters by tag', { timeout: 90_000 }, async () => {
    const listed = catalog.list() as { id: string; tags: string[]; estimatedMinutes?: number }[];
    const page = await world.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('.scenario').count()).toBe(listed.length);
    expect(await page.locator('.scenario').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.id))).toEqual(listed.map((s) => s.id));
    const first = listed[0]!;
    if (first.estimatedMinutes !== undefined) expect(await page.locator(`.scenario[data-id=${first.id}] .estimate`).textContent()).toBe(`~${first.estimatedMinutes} min`);

    // A tag some incidents lack, and one incident without it chosen first.
    const tag = listed.flatMap((s) => s.tags).find((t) => listed.some((s) => !s.tags.includes(t)))!;
    const without = listed.find((s) => !s.tags.includes(tag))!;
    await page.locator(`.scenario[data-id=${without.id}]`).click();
    await page.locator(`.tag-toggle[data-tag=${tag}]`).click();
    const shown = () => page.locator('.scenario:visible').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.id));
    await expect.poll(shown).toEqual(listed.filter((s) => s.tags.includes(tag)).map((s) => s.id));
    expect(await page.locator(`.tag-toggle[data-tag=${tag}]`).getAttribute('aria-pressed')).toBe('true');
    const checked = await page.locator('.scenario[aria-checked=true]').getAttribute('data-id');
    expect(listed.find((s) => s.id === checked)!.tags).toContain(tag);
    await screenshot(page, '32-lobby-tag-filter');

    await page.locator('.tag-toggle[data-tag=""]').click();
    await expect.poll(shown).toEqual(listed.map((s) => s.id));
  });

  it('offers to stack a second fault only on a stackable incident; the host key then shows both causes', { timeout: 90_000 }, async () => {
    const listed = catalog.list() as { id: string; stackable: boolean }[];
    const page = await world.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('.scenario').count()).toBe(listed.length);
    await page.locator(`.scenario[data-id=${listed.find((s) => !s.stackable)!.id}]`).click();
    expect(await page.locator('#create-stacked').isVisible()).toBe(false);
    await page.locator('.scenario[data-id=pending-pods]').click();
    await page.check('#create-stacked');
    await page.fill('#create-name', 'Facilitator');
    await page.locator('button[data-mode=gameday]').click();
    await page.waitForURL(/\/host\//);
    await page.getByRole('tab', { name: 'Answer key' }).click();
    await expect.poll(() => page.getByTestId('key-second-cause').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('key-second-cause').textContent()).toBe("The kube-dns Service's selector matches no pod, so the cluster DNS IP has no endpoints");
    await screenshot(page, '33-host-stacked-key');
  });
});
