// sort with GNU's key rules (-k F[.C][opts][,F[.C][opts]], -t, fields keep their leading
// blanks unless b, per-key options override the global ones, last-resort whole-line
// comparison unless -s/-u), byte order as in the C.UTF-8 locale; uniq (-c -d -u -i -f -s -w)
// and wc (-l -w -c -m).
import type { ShellCommand } from '../types.js';
import { count, joinLines, parseOptions, readInputs, splitLines, usageError } from './common.js';

/** Ordering options of a key or of the whole sort. */
interface Ordering {
  numeric?: boolean;
  human?: boolean;
  general?: boolean;
  version?: boolean;
  month?: boolean;
  fold?: boolean;
  dictionary?: boolean;
  printable?: boolean;
  reverse?: boolean;
  blankStart?: boolean;
  blankEnd?: boolean;
}

interface SortKey extends Ordering {
  startField: number;
  startChar: number;
  /** 0: to the end of the line. */
  endField: number;
  /** 0: to the end of the end field. */
  endChar: number;
}

const ORDERING_LETTERS = 'bdfghiMnrRV';

function applyLetter(o: Ordering, letter: string, end: boolean): void {
  switch (letter) {
    case 'b': if (end) o.blankEnd = true; else o.blankStart = true; break;
    case 'd': o.dictionary = true; break;
    case 'f': o.fold = true; break;
    case 'g': o.general = true; break;
    case 'h': o.human = true; break;
    case 'i': o.printable = true; break;
    case 'M': o.month = true; break;
    case 'n': o.numeric = true; break;
    case 'r': o.reverse = true; break;
    case 'V': o.version = true; break;
  }
}

function parseKey(spec: string): SortKey | string {
  const m = /^(\d+)(?:\.(\d+))?([a-zA-Z]*)(?:,(\d+)(?:\.(\d+))?([a-zA-Z]*))?$/.exec(spec);
  if (!m) return `invalid number at field start: invalid count at start of '${spec}'`;
  if (Number(m[1]) === 0) return `field number is zero: invalid field specification '${spec}'`;
  if (m[2] !== undefined && Number(m[2]) === 0) return `character offset is zero: invalid field specification '${spec}'`;
  const key: SortKey = { startField: Number(m[1]), startChar: m[2] !== undefined ? Number(m[2]) : 1, endField: m[4] !== undefined ? Number(m[4]) : 0, endChar: m[5] !== undefined ? Number(m[5]) : 0 };
  for (const [letters, end] of [[m[3] ?? '', false], [m[6] ?? '', true]] as const) {
    for (const letter of letters) {
      if (!ORDERING_LETTERS.includes(letter)) return `stray character in field spec: invalid field specification '${spec}'`;
      applyLetter(key, letter, end);
    }
  }
  if (m[4] !== undefined && Number(m[4]) === 0) return `field number is zero: invalid field specification '${spec}'`;
  return key;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** GNU begfield / limfield: where a key starts and ends in a line. */
function keyText(line: string, key: SortKey, tab: string | undefined): string {
  const lim = line.length;
  let ptr = 0;
  let sword = key.startField - 1;
  if (tab !== undefined) {
    while (ptr < lim && sword-- > 0) {
      while (ptr < lim && line[ptr] !== tab) ptr++;
      if (ptr < lim) ptr++;
    }
  } else {
    while (ptr < lim && sword-- > 0) {
      while (ptr < lim && isBlank(line[ptr])) ptr++;
      while (ptr < lim && !isBlank(line[ptr])) ptr++;
    }
  }
  if (key.blankStart) while (ptr < lim && isBlank(line[ptr])) ptr++;
  const start = Math.min(lim, ptr + key.startChar - 1);
  let end = lim;
  if (key.endField > 0) {
    let eword = key.endField - 1;
    const echar = key.endChar;
    if (echar === 0) eword++;
    ptr = 0;
    if (tab !== undefined) {
      while (ptr < lim && eword-- > 0) {
        while (ptr < lim && line[ptr] !== tab) ptr++;
        if (ptr < lim && (eword > 0 || echar !== 0)) ptr++;
      }
    } else {
      while (ptr < lim && eword-- > 0) {
        while (ptr < lim && isBlank(line[ptr])) ptr++;
        while (ptr < lim && !isBlank(line[ptr])) ptr++;
      }
    }
    if (echar !== 0) {
      if (key.blankEnd) while (ptr < lim && isBlank(line[ptr])) ptr++;
      ptr = Math.min(lim, ptr + echar);
    }
    end = ptr;
  }
  return start < end ? line.slice(start, end) : '';
}

function numericPrefix(s: string): number {
  const m = /^[ \t]*(-?)(\d*)(?:\.(\d*))?/.exec(s)!;
  if (m[2] === '' && (m[3] === undefined || m[3] === '')) return 0;
  const n = Number(`${m[2] || '0'}.${m[3] ?? ''}`);
  return m[1] ? -n : n;
}

const SUFFIXES = 'KMGTPEZYRQ';

/** -h: sign, then the suffix (none < K < M < …), then the number. */
function humanValue(s: string): HumanValue {
  const m = /^[ \t]*(-?)(\d*(?:\.\d*)?)([KMGTPEZYRQk]?)/.exec(s)!;
  const n = Number(m[2] || '0');
  const sign = n === 0 ? 0 : m[1] ? -1 : 1;
  const power = m[3] ? SUFFIXES.indexOf(m[3].toUpperCase()) + 1 : 0;
  return [sign, power, n];
}
type HumanValue = readonly [sign: number, power: number, n: number];

function compareHuman([sa, pa, na]: HumanValue, [sb, pb, nb]: HumanValue): number {
  if (sa !== sb) return sa - sb;
  if (pa !== pb) return sa * (pa - pb);
  return sa * (na - nb);
}

function generalValue(s: string): number {
  const m = /^[ \t]*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf(?:inity)?|[-+]?nan)/i.exec(s);
  if (!m) return NaN;
  const t = m[1]!.toLowerCase();
  return t.includes('inf') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Debian / GNU version order: digits numerically, `~` before anything, letters before symbols. */
function compareVersion(a: string, b: string): number {
  const order = (c: string | undefined): number => {
    if (c === undefined || /\d/.test(c)) return 0;
    if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
    if (c === '~') return -1;
    return c.charCodeAt(0) + 256;
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let diff = 0;
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (diff === 0) diff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1;
    if (j < b.length && /\d/.test(b[j]!)) return -1;
    if (diff !== 0) return diff;
  }
  return 0;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What a key compares as: worked out once per line, not at each of the sort's comparisons. */
type KeyValue = string | number | HumanValue;

function keyValue(s: string, o: Ordering): KeyValue {
  if (o.numeric) return numericPrefix(s);
  if (o.human) return humanValue(s);
  if (o.general) return generalValue(s);
  if (o.month) return MONTHS.indexOf(s.trimStart().slice(0, 3).toUpperCase()) + 1;
  if (o.version) return s;
  if (o.fold || o.dictionary || o.printable) {
    let t = s;
    if (o.dictionary) t = t.replace(/[^A-Za-z0-9 \t]/g, '');
    if (o.printable) t = t.replace(/[^\x20-\x7e]/g, '');
    return o.fold ? t.toUpperCase() : t;
  }
  return s;
}

function compareKey(a: KeyValue, b: KeyValue, o: Ordering): number {
  if (o.numeric || o.month) return Math.sign((a as number) - (b as number));
  if (o.human) return Math.sign(compareHuman(a as HumanValue, b as HumanValue));
  if (o.general) {
    const x = a as number;
    const y = b as number;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
    return Math.sign(x - y);
  }
  if (o.version) return Math.sign(compareVersion(a as string, b as string));
  return byteOrder(a as string, b as string);
}

/** A line with the values of its keys. */
interface Row {
  line: string;
  keys: KeyValue[];
}

export const sort: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('sort', argv.slice(1), {
    flags: 'bdfghiMnrRVscum',
    valued: 'ktoST',
    long: {
      'ignore-leading-blanks': { key: 'b', value: false }, 'dictionary-order': { key: 'd', value: false }, 'ignore-case': { key: 'f', value: false },
      'general-numeric-sort': { key: 'g', value: false }, 'human-numeric-sort': { key: 'h', value: false }, 'ignore-nonprinting': { key: 'i', value: false },
      'month-sort': { key: 'M', value: false }, 'numeric-sort': { key: 'n', value: false }, reverse: { key: 'r', value: false }, 'version-sort': { key: 'V', value: false },
      stable: { key: 's', value: false }, unique: { key: 'u', value: false }, key: { key: 'k', value: true }, 'field-separator': { key: 't', value: true },
      check: { key: 'c', value: false }, output: { key: 'o', value: true }, 'buffer-size': { key: 'S', value: true }, 'temporary-directory': { key: 'T', value: true },
    },
    usageExit: 2,
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const global: Ordering = {};
  for (const letter of o.values.keys()) if (letter.length === 1 && ORDERING_LETTERS.includes(letter)) applyLetter(global, letter, false);
  if (global.blankStart) global.blankEnd = true;
  const keys: SortKey[] = [];
  for (const spec of o.all('k')) {
    const key = parseKey(spec);
    if (typeof key === 'string') return usageError('sort', key, { usageExit: 2 });
    // A key with ordering options of its own ignores the global ones.
    const own = Object.keys(key).some((k) => !['startField', 'startChar', 'endField', 'endChar', 'blankStart', 'blankEnd'].includes(k));
    keys.push(own ? key : { ...global, ...key, blankStart: key.blankStart || global.blankStart, blankEnd: key.blankEnd || global.blankEnd });
  }
  const tab = o.last('t');
  if (tab !== undefined && tab.length !== 1) {
    return { stdout: '', stderr: tab === '' ? 'sort: empty tab\n' : `sort: multi-character tab '${tab}'\n`, exitCode: 2 };
  }
  if (o.has('o')) return { stdout: '', stderr: `sort: open failed: ${o.last('o')}: Read-only file system\n`, exitCode: 2 };
  const { inputs, errors } = readInputs(ctx, 'sort', o.operands);
  if (errors) return { stdout: '', stderr: errors.replace(/^sort: (.*): No such/gm, 'sort: cannot read: $1: No such'), exitCode: 2 };
  const lines = inputs.length === 1 ? splitLines(inputs[0]!.text) : inputs.flatMap((i) => splitLines(i.text));
  const wholeLine: SortKey = { ...global, startField: 1, startChar: 1, endField: 0, endChar: 0 };
  const sortKeys = keys.length > 0 ? keys : [wholeLine];
  // Steps per comparison: cutting out key fields and version order cost more than plain strings.
  const perCompare = sortKeys.some((k) => k.version) ? 50 : keys.length > 0 || tab !== undefined ? 20 : 3;
  // A plain `sort` (or -r, -s, -u): the key is the line itself.
  const plain = keys.length === 0 && Object.keys(global).every((k) => k === 'reverse');
  if (plain && !o.has('c')) {
    // The line is its own key, so the last-resort comparison adds nothing. The lines are
    // compared by their rank among the distinct lines (in byte order, Array#sort's own): numbers
    // compare faster than strings, with the same answers, so as many comparisons (and steps).
    const sign = global.reverse ? -1 : 1;
    const distinct = [...new Set(lines)].sort();
    const rankOf = new Map(distinct.map((line, i) => [line, i]));
    const ranks = lines.map((line) => rankOf.get(line)!).sort((a, b) => {
      ctx.budget.spend(perCompare);
      return sign * (a - b);
    });
    const result = o.has('u') ? ranks.filter((rank, i) => {
      if (i === 0) return true;
      ctx.budget.spend(perCompare);
      return rank !== ranks[i - 1];
    }) : ranks;
    return { stdout: joinLines(result.map((rank) => distinct[rank]!)), stderr: '', exitCode: 0 };
  }
  const rows: Row[] = lines.map((line) => ({ line, keys: plain ? [line] : sortKeys.map((key) => keyValue(keyText(line, key, tab), key)) }));
  const compareKeys = (a: Row, b: Row): number => {
    ctx.budget.spend(perCompare);
    for (let k = 0; k < sortKeys.length; k++) {
      const key = sortKeys[k]!;
      const c = compareKey(a.keys[k]!, b.keys[k]!, key);
      if (c !== 0) return key.reverse ? -c : c;
    }
    return 0;
  };
  const lastResort = !o.has('s') && !o.has('u');
  const compare = (a: Row, b: Row): number => {
    const c = compareKeys(a, b);
    if (c !== 0 || !lastResort) return c;
    return global.reverse ? -byteOrder(a.line, b.line) : byteOrder(a.line, b.line);
  };
  if (o.has('c')) {
    const bad = rows.findIndex((row, i) => i > 0 && (o.has('u') ? compare(rows[i - 1]!, row) >= 0 : compare(rows[i - 1]!, row) > 0));
    return bad < 0 ? { stdout: '', stderr: '', exitCode: 0 } : { stdout: '', stderr: `sort: -:${bad + 1}: disorder: ${lines[bad]}\n`, exitCode: 1 };
  }
  const sorted = rows.sort(compare);
  const result = o.has('u') ? sorted.filter((row, i) => i === 0 || compareKeys(sorted[i - 1]!, row) !== 0) : sorted;
  return { stdout: joinLines(result.map((r) => r.line)), stderr: '', exitCode: 0 };
};

/** What uniq compares of a line: -f fields and -s characters skipped, -w characters kept. */
function uniqKey(line: string, fields: number, chars: number, width: number | undefined): string {
  let i = 0;
  for (let f = 0; f < fields; f++) {
    while (i < line.length && isBlank(line[i])) i++;
    while (i < line.length && !isBlank(line[i])) i++;
  }
  const rest = line.slice(Math.min(line.length, i + chars));
  return width === undefined ? rest : rest.slice(0, width);
}

export const uniq: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('uniq', argv.slice(1), {
    flags: 'cduiDz',
    valued: 'fsw',
    long: {
      count: { key: 'c', value: false }, repeated: { key: 'd', value: false }, unique: { key: 'u', value: false }, 'ignore-case': { key: 'i', value: false },
      'skip-fields': { key: 'f', value: true }, 'skip-chars': { key: 's', value: true }, 'check-chars': { key: 'w', value: true }, 'all-repeated': { key: 'D', value: false },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const numbers: Record<string, number | undefined> = {};
  for (const [letter, what] of [['f', 'number of fields to skip'], ['s', 'number of bytes to skip'], ['w', 'number of bytes to compare']] as const) {
    const value = o.last(letter);
    numbers[letter] = count(value);
    if (value !== undefined && numbers[letter] === undefined) return { stdout: '', stderr: `uniq: ${value}: invalid ${what}\n`, exitCode: 1 };
  }
  const { inputs, errors } = readInputs(ctx, 'uniq', o.operands.slice(0, 1));
  if (errors) return { stdout: '', stderr: errors, exitCode: 1 };
  const keyOf = (line: string): string => {
    const k = uniqKey(line, numbers.f ?? 0, numbers.s ?? 0, numbers.w);
    return o.has('i') ? k.toLowerCase() : k;
  };
  const groups: { lines: string[]; key: string }[] = [];
  for (const line of splitLines(inputs[0]?.text ?? '')) {
    const key = keyOf(line);
    const last = groups.at(-1);
    if (last && last.key === key) last.lines.push(line);
    else groups.push({ lines: [line], key });
  }
  const kept = groups.filter((g) => (!o.has('d') && !o.has('D') || g.lines.length > 1) && (!o.has('u') || g.lines.length === 1));
  const out = kept.flatMap((g) => (o.has('D') ? g.lines : [o.has('c') ? `${String(g.lines.length).padStart(7)} ${g.lines[0]}` : g.lines[0]!]));
  return { stdout: joinLines(out), stderr: '', exitCode: 0 };
};

export const wc: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('wc', argv.slice(1), {
    flags: 'lwcmL',
    long: { lines: { key: 'l', value: false }, words: { key: 'w', value: false }, bytes: { key: 'c', value: false }, chars: { key: 'm', value: false } },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const selected = ['l', 'w', 'm', 'c'].filter((k) => o.has(k));
  const which = selected.length > 0 ? selected : ['l', 'w', 'c'];
  const { inputs, errors } = readInputs(ctx, 'wc', o.operands);
  const counts = inputs.map((input) => {
    const t = input.text;
    ctx.budget.spend(t.length); // passes for words and characters besides the read
    const all: Record<string, number> = {
      l: (t.match(/\n/g) ?? []).length,
      w: t.split(/\s+/).filter((w) => w !== '').length,
      c: Buffer.byteLength(t, 'utf8'),
      m: [...t].length,
    };
    return { name: input.name, values: which.map((k) => all[k]!) };
  });
  if (counts.length > 1) counts.push({ name: 'total', values: which.map((_, i) => counts.reduce((s, c) => s + c.values[i]!, 0)) });
  const fromStdin = o.operands.length === 0;
  const single = which.length === 1 && counts.length === 1;
  const largest = Math.max(0, ...counts.flatMap((c) => c.values));
  const width = single ? 1 : fromStdin ? 7 : String(largest).length;
  const lines = counts.map((c) => `${c.values.map((v) => String(v).padStart(width)).join(' ')}${fromStdin ? '' : ` ${c.name}`}`);
  return { stdout: joinLines(lines), stderr: errors, exitCode: errors ? 1 : 0 };
};
