// GNU diff of two texts, normal (`2c2`, `< a`, `---`, `> b`) or unified (-u / -U N) output.
// Lines are matched with Myers' algorithm after the common head and tail are set aside; past
// MAX_EDIT_DISTANCE the rest is shown as one change, so a hostile input stays cheap.
import type { CommandResult, ShellCommand } from '../types.js';
import { count, parseOptions, readInputs, usageError } from './common.js';

const MAX_EDIT_DISTANCE = 2000;

/** A run of lines: `a` lines from the old text at `aStart`, `b` from the new at `bStart`. */
interface Change {
  aStart: number;
  aCount: number;
  bStart: number;
  bCount: number;
}

/** The changes turning `a` into `b`, in order. */
export function diffLines(a: string[], b: string[]): Change[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const same = myers(x, y) ?? [];
  // Turn the kept pairs into the changes between them.
  const changes: Change[] = [];
  let i = 0;
  let j = 0;
  for (const [si, sj] of [...same, [x.length, y.length] as [number, number]]) {
    if (si > i || sj > j) changes.push({ aStart: head + i, aCount: si - i, bStart: head + j, bCount: sj - j });
    i = si + 1;
    j = sj + 1;
  }
  return changes;
}

/** Index pairs of equal lines on a shortest edit script, or undefined past MAX_EDIT_DISTANCE. */
function myers(a: string[], b: string[]): [number, number][] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let xPos = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let yPos = xPos - k;
      while (xPos < n && yPos < m && a[xPos] === b[yPos]) {
        xPos++;
        yPos++;
      }
      next[offset + k] = xPos;
      if (xPos >= n && yPos >= m) return backtrack(trace, next, d, k, offset, a, b);
    }
    v = next;
  }
  return undefined;
}

function backtrack(trace: Int32Array[], last: Int32Array, d: number, k: number, offset: number, a: string[], b: string[]): [number, number][] {
  const pairs: [number, number][] = [];
  let xPos = last[offset + k]!;
  let yPos = xPos - k;
  for (let step = d; step > 0; step--) {
    const v = trace[step]!;
    const down = k === -step || (k !== step && v[offset + k - 1]! < v[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (xPos > (down ? prevX : prevX + 1) && yPos > (down ? prevY + 1 : prevY)) {
      xPos--;
      yPos--;
      pairs.push([xPos, yPos]);
    }
    xPos = prevX;
    yPos = prevY;
    k = prevK;
  }
  while (xPos > 0 && yPos > 0 && a[xPos - 1] === b[yPos - 1]) {
    xPos--;
    yPos--;
    pairs.push([xPos, yPos]);
  }
  return pairs.reverse();
}

interface Side {
  lines: string[];
  /** The text does not end with a newline. */
  noNewline: boolean;
}

function side(text: string): Side {
  const lines = text.split('\n');
  const noNewline = text !== '' && !text.endsWith('\n');
  if (!noNewline) lines.pop();
  return { lines, noNewline };
}

const NO_NEWLINE = '\\ No newline at end of file\n';

function lineOut(prefix: string, s: Side, i: number): string {
  return `${prefix}${s.lines[i]}\n${i === s.lines.length - 1 && s.noNewline ? NO_NEWLINE : ''}`;
}

/** `3`, `3,5`: the lines a change covers (the line before it when it covers none). */
function range(start: number, n: number): string {
  if (n === 0) return String(start);
  return n === 1 ? String(start + 1) : `${start + 1},${start + n}`;
}

function normal(a: Side, b: Side, changes: Change[]): string {
  let out = '';
  for (const c of changes) {
    const kind = c.aCount === 0 ? 'a' : c.bCount === 0 ? 'd' : 'c';
    out += `${range(c.aStart, c.aCount)}${kind}${range(c.bStart, c.bCount)}\n`;
    for (let i = 0; i < c.aCount; i++) out += lineOut('< ', a, c.aStart + i);
    if (kind === 'c') out += '---\n';
    for (let i = 0; i < c.bCount; i++) out += lineOut('> ', b, c.bStart + i);
  }
  return out;
}

/** `-l,n` in a hunk header: `l` alone when n is 1, the line before when n is 0. */
function hunkRange(start: number, n: number): string {
  if (n === 1) return String(start + 1);
  return `${n === 0 ? start : start + 1},${n}`;
}

function unified(a: Side, b: Side, changes: Change[], context: number): string {
  let out = '';
  for (let first = 0; first < changes.length; ) {
    // Changes closer than twice the context share a hunk.
    let last = first;
    while (last + 1 < changes.length && changes[last + 1]!.aStart - (changes[last]!.aStart + changes[last]!.aCount) <= 2 * context) last++;
    const aFrom = Math.max(0, changes[first]!.aStart - context);
    const bFrom = Math.max(0, changes[first]!.bStart - context);
    const end = changes[last]!;
    const aTo = Math.min(a.lines.length, end.aStart + end.aCount + context);
    const bTo = Math.min(b.lines.length, end.bStart + end.bCount + context);
    out += `@@ -${hunkRange(aFrom, aTo - aFrom)} +${hunkRange(bFrom, bTo - bFrom)} @@\n`;
    let i = aFrom;
    for (const c of changes.slice(first, last + 1)) {
      for (; i < c.aStart; i++) out += lineOut(' ', a, i);
      for (let k = 0; k < c.aCount; k++) out += lineOut('-', a, c.aStart + k);
      for (let k = 0; k < c.bCount; k++) out += lineOut('+', b, c.bStart + k);
      i = c.aStart + c.aCount;
    }
    for (; i < aTo; i++) out += lineOut(' ', a, i);
    first = last + 1;
  }
  return out;
}

/** diff's answer for two texts named `names`: the output and status 0 (same) or 1 (different). */
export function diffTexts(left: string, right: string, names: [string, string], opts: { unified?: number; brief?: boolean; reportSame?: boolean }): CommandResult {
  const [a, b] = [side(left), side(right)];
  const changes = left === right ? [] : diffLines(a.lines, b.lines);
  // The same lines with a final newline on one side only still differ.
  if (changes.length === 0 && left !== right) {
    const at = Math.max(0, a.lines.length - 1);
    changes.push({ aStart: at, aCount: 1, bStart: at, bCount: 1 });
  }
  if (changes.length === 0) return { stdout: opts.reportSame ? `Files ${names[0]} and ${names[1]} are identical\n` : '', stderr: '', exitCode: 0 };
  if (opts.brief) return { stdout: `Files ${names[0]} and ${names[1]} differ\n`, stderr: '', exitCode: 1 };
  if (opts.unified !== undefined) return { stdout: `--- ${names[0]}\n+++ ${names[1]}\n${unified(a, b, changes, opts.unified)}`, stderr: '', exitCode: 1 };
  return { stdout: normal(a, b, changes), stderr: '', exitCode: 1 };
}

export const diff: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('diff', argv.slice(1), {
    flags: 'uqsNwbBi',
    valued: 'U',
    long: { unified: { key: 'u', value: false }, brief: { key: 'q', value: false }, 'report-identical-files': { key: 's', value: false } },
    usageExit: 2,
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  if (o.operands.length < 2) return usageError('diff', `missing operand after '${o.operands[0] ?? 'diff'}'`, { usageExit: 2 });
  if (o.operands.length > 2) return usageError('diff', `extra operand '${o.operands[2]}'`, { usageExit: 2 });
  const [left, right] = o.operands as [string, string];
  const { inputs, errors } = readInputs(ctx, 'diff', [left, right]);
  if (errors) return { stdout: '', stderr: errors, exitCode: 2 };
  const context = count(o.last('U'));
  return diffTexts(inputs[0]!.text, inputs[1]!.text, [left, right], { brief: o.has('q'), reportSame: o.has('s'), ...(o.has('u') || o.has('U') ? { unified: context ?? 3 } : {}) });
};
