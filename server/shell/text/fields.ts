// cut (-d -f -c -s), tr (sets, ranges, classes, -d -s -c) and column (-t -s -o).
import { STEPS_PER_RECORD, STEPS_PER_STATEMENT } from '../budget.js';
import type { CommandResult, ShellCommand } from '../types.js';
import { joinLines, parseOptions, readInputs, splitLines } from './common.js';

const failWith = (stderr: string): CommandResult => ({ stdout: '', stderr, exitCode: 1 });
const CUT_TRY = "Try 'cut --help' for more information.\n";

/** A cut list (`1,3`, `2-`, `-3`, `1-3`) as a membership test on 1-based positions. */
function parseList(list: string, kind: string): ((n: number) => boolean) | string {
  const ranges: [number, number][] = [];
  for (const part of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || part === '' || part === '-') return `cut: invalid ${kind} range\n${CUT_TRY}`;
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    if (lo === 0 || hi === 0) return `cut: ${kind}s are numbered from 1\n${CUT_TRY}`;
    if (hi < lo) return `cut: invalid decreasing range\n${CUT_TRY}`;
    ranges.push([lo, hi]);
  }
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

export const cut: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('cut', argv.slice(1), {
    flags: 's',
    valued: 'dfcb',
    long: {
      delimiter: { key: 'd', value: true },
      fields: { key: 'f', value: true },
      characters: { key: 'c', value: true },
      bytes: { key: 'b', value: true },
      'only-delimited': { key: 's', value: false },
      'output-delimiter': { key: 'output-delimiter', value: true },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const fields = o.last('f');
  const chars = o.last('c') ?? o.last('b');
  if ((fields === undefined) === (chars === undefined)) {
    return failWith(fields === undefined ? `cut: you must specify a list of bytes, characters, or fields\n${CUT_TRY}` : `cut: only one type of list may be specified\n${CUT_TRY}`);
  }
  const delimiter = o.last('d') ?? '\t';
  if (delimiter.length !== 1) return failWith(`cut: the delimiter must be a single character\n${CUT_TRY}`);
  const wanted = parseList(fields ?? chars!, fields !== undefined ? 'field' : 'byte/character');
  if (typeof wanted === 'string') return failWith(wanted);
  const outDelimiter = o.last('output-delimiter') ?? delimiter;
  const { inputs, errors } = readInputs(ctx, 'cut', o.operands);
  const lines = inputs.flatMap((i) => splitLines(i.text));
  const out: string[] = [];
  for (const line of lines) {
    if (chars !== undefined) {
      // GNU cut counts bytes even for -c: a multibyte character can be cut in two.
      out.push(Buffer.from([...Buffer.from(line, 'utf8')].filter((_, i) => wanted(i + 1))).toString('utf8'));
      continue;
    }
    if (!line.includes(delimiter)) {
      if (!o.has('s')) out.push(line);
      continue;
    }
    const fields = line.split(delimiter);
    ctx.budget.spend(STEPS_PER_STATEMENT * fields.length);
    out.push(fields.filter((_, i) => wanted(i + 1)).join(outDelimiter));
  }
  return { stdout: joinLines(out), stderr: errors, exitCode: errors ? 1 : 0 };
};

const TR_CLASSES: Record<string, string> = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digit: '0123456789',
  space: ' \t\n\r\f\v',
  blank: ' \t',
  punct: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};
TR_CLASSES.alpha = TR_CLASSES.upper! + TR_CLASSES.lower!;
TR_CLASSES.alnum = TR_CLASSES.alpha + TR_CLASSES.digit!;

/** A tr SET as the list of characters it stands for. */
function expandSet(set: string): string[] | string {
  const chars: string[] = [];
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', f: '\f', v: '\v', a: '\x07', b: '\b' };
  const units: string[] = [];
  for (let i = 0; i < set.length; i++) {
    const cls = /^\[:([a-z]+):\]/.exec(set.slice(i));
    if (cls) {
      const members = TR_CLASSES[cls[1]!];
      if (members === undefined) return `tr: invalid character class '${cls[1]}'\n`;
      units.push(...members);
      i += cls[0].length - 1;
      continue;
    }
    if (set[i] === '\\' && i + 1 < set.length) {
      units.push(esc[set[i + 1]!] ?? set[i + 1]!);
      i++;
      continue;
    }
    if (set[i + 1] === '-' && i + 2 < set.length) {
      const from = set.charCodeAt(i);
      const to = set.charCodeAt(i + 2);
      if (to < from) return `tr: range-endpoints of '${set.slice(i, i + 3)}' are in reverse collating sequence order\n`;
      for (let c = from; c <= to; c++) units.push(String.fromCharCode(c));
      i += 2;
      continue;
    }
    units.push(set[i]!);
  }
  chars.push(...units);
  return chars;
}

export const tr: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('tr', argv.slice(1), {
    flags: 'dscC',
    long: { delete: { key: 'd', value: false }, 'squeeze-repeats': { key: 's', value: false }, complement: { key: 'c', value: false } },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const [s1, s2] = o.operands;
  const TRY = "Try 'tr --help' for more information.\n";
  if (s1 === undefined) return failWith(`tr: missing operand\n${TRY}`);
  const translating = !o.has('d') && !(o.has('s') && s2 === undefined);
  if (translating && s2 === undefined) return failWith(`tr: missing operand after '${s1}'\nTwo strings must be given when translating.\n${TRY}`);
  const set1 = expandSet(s1);
  const set2 = s2 === undefined ? [] : expandSet(s2);
  if (typeof set1 === 'string') return failWith(set1);
  if (typeof set2 === 'string') return failWith(set2);
  const complement = o.has('c') || o.has('C');
  const in1 = (c: string): boolean => set1.includes(c) !== complement;
  // Each character is looked up in the sets, one by one.
  ctx.budget.spend(ctx.stdin.length * (STEPS_PER_RECORD / 5 + Math.ceil((set1.length + set2.length) / 8)));
  let out = '';
  for (const c of ctx.stdin) {
    if (o.has('d')) {
      if (!in1(c)) out += c;
      continue;
    }
    if (translating) {
      const index = set1.indexOf(c);
      out += index >= 0 && !complement ? (set2[Math.min(index, set2.length - 1)] ?? c) : complement && in1(c) ? (set2.at(-1) ?? c) : c;
    } else out += c;
  }
  if (o.has('s')) {
    const squeeze = new Set(o.has('d') || translating ? set2 : set1.filter(() => !complement));
    out = [...out].filter((c, i, all) => !(i > 0 && c === all[i - 1] && squeeze.has(c))).join('');
  }
  return { stdout: out, stderr: '', exitCode: 0 };
};

export const column: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('column', argv.slice(1), {
    flags: 'txne',
    valued: 'soc',
    long: {
      table: { key: 't', value: false },
      separator: { key: 's', value: true },
      'output-separator': { key: 'o', value: true },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { inputs, errors } = readInputs(ctx, 'column', o.operands);
  const lines = inputs.flatMap((i) => splitLines(i.text));
  if (!o.has('t')) return { stdout: joinLines(lines), stderr: errors, exitCode: errors ? 1 : 0 };
  const separators = o.last('s');
  // Blanks run together; each character given with -s separates a cell of its own.
  const splitter = separators === undefined ? /[ \t]+/ : new RegExp(`[${separators.replace(/[\]\\^-]/g, '\\$&')}]`);
  const rows = lines.filter((l) => l.trim() !== '').map((l) => (separators === undefined ? l.trim() : l).split(splitter));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  const gap = o.last('o') ?? '  ';
  // util-linux fills short rows with empty cells: every column but the last is padded.
  const out = rows.map((row) => widths.map((w, i) => {
    const cell = row[i] ?? '';
    return i === widths.length - 1 ? cell : cell + ' '.repeat(w - [...cell].length);
  }).join(gap));
  return { stdout: joinLines(out), stderr: errors, exitCode: errors ? 1 : 0 };
};
