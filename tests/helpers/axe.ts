// axe-core in the browser suite: its source evaluated in the page, run on the whole
// document; every violation is printed (the test output is the record), and the serious
// and critical ones are returned for the test to assert there are none.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

export async function axeViolations(page: Page, name: string): Promise<AxeViolation[]> {
  // Evaluated through the devtools protocol: the app's CSP (script-src 'self') refuses inline script tags.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  console.log(`axe-core ${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `\n  [${v.impact}] ${v.id}: ${v.help} (${v.targets.join(', ')})`).join('')}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
