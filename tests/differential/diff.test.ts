// diff against GNU diff: the same pairs of texts, written to files for the real one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffTexts } from '../../server/shell/text/diff.js';

const dir = mkdtempSync(join(tmpdir(), 'kubedrill-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => `${f(i)}\n`).join('');

const PAIRS: [string, string][] = [
  ['a\nb\nc\n', 'a\nB\nc\n'],
  ['a\nb\nc\n', 'a\nc\nd\n'],
  ['a\n', 'a\n'],
  ['1\n2\n3\n4\n5\n', '1\n3\n4\n6\n5\n'],
  ['x\n', 'y\nz\n'],
  ['', 'new\n'],
  ['old\n', ''],
  ['a\nb', 'a\nb\n'],
  ['a\nb', 'a\nc'],
  [lines(40, (i) => `line ${i}`), lines(40, (i) => (i === 5 || i === 30 ? `changed ${i}` : `line ${i}`))],
  [lines(20, (i) => `l${i}`), lines(20, (i) => `l${i}`).replace('l3\n', '').replace('l9\n', 'l9\nextra\n')],
  ['apiVersion: v1\nkind: ConfigMap\ndata:\n  Corefile: |\n    forward . /etc/resolv.conf\n', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  Corefile: |\n    forward . 8.8.8.8\n'],
];

function realDiff(left: string, right: string, args: string[]): { stdout: string; exitCode: number } {
  writeFileSync(join(dir, 'a'), left);
  writeFileSync(join(dir, 'b'), right);
  const r = spawnSync('diff', [...args, 'a', 'b'], { cwd: dir, encoding: 'utf8' });
  // Unified headers carry the files' times, which the shell's files do not have.
  return { stdout: r.stdout.replace(/^(---|\+\+\+) (\S+)\t.*$/gm, '$1 $2'), exitCode: r.status ?? -1 };
}

describe('diff against GNU diff', () => {
  it.each(PAIRS.map((p, i) => [i, p] as const))('pair %i, normal and unified', (_i, [left, right]) => {
    for (const [args, opts] of [[[], {}], [['-u'], { unified: 3 }], [['-U', '1'], { unified: 1 }], [['-q'], { brief: true }]] as const) {
      const ours = diffTexts(left, right, ['a', 'b'], opts);
      expect({ stdout: ours.stdout, exitCode: ours.exitCode }, args.join(' ')).toEqual(realDiff(left, right, [...args]));
    }
  });

  it('stays cheap on texts with nothing in common', () => {
    const started = performance.now();
    const r = diffTexts(lines(20_000, (i) => `a${i}`), lines(20_000, (i) => `b${i}`), ['a', 'b'], {});
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.stdout.startsWith('1,20000c1,20000\n')).toBe(true);
  });
});
