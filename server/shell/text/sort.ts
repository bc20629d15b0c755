// sort (-n -h -r -u -f -k -t), uniq (-c -d -u -i) and wc (-l -w -c -m), GNU formats.
import type { ShellCommand } from '../types.js';
import { joinLines, parseOptions, readInputs, splitLines } from './common.js';

interface SortKey {
  startField: number;
  endField: number | undefined;
}

const SUFFIXES = 'KMGTPEZY';

/** -h: `2.5M` > `900K`; a number's suffix decides before its value, as in GNU sort. */
function humanValue(s: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)([KMGTPEZYk]?)/.exec(s);
  if (!m) return 0;
  const power = m[2] ? SUFFIXES.indexOf(m[2].toUpperCase()) + 1 : 0;
  return Number(m[1]) * 1024 ** power;
}

function numericValue(s: string): number {
  const m = /^\s*(-?\d*\.?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function fieldsOf(line: string, separator: string | undefined): string[] {
  if (separator !== undefined) return line.split(separator);
  return line.trim().split(/[ \t]+/);
}

function keyOf(line: string, key: SortKey | undefined, separator: string | undefined): string {
  if (!key) return line;
  const fields = fieldsOf(line, separator);
  const end = key.endField ?? fields.length;
  return fields.slice(key.startField - 1, end).join(separator ?? ' ');
}

export const sort: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('sort', argv.slice(1), {
    flags: 'nhrufbsVgMdi',
    valued: 'ktoST',
    long: {
      'numeric-sort': { key: 'n', value: false },
      'human-numeric-sort': { key: 'h', value: false },
      reverse: { key: 'r', value: false },
      unique: { key: 'u', value: false },
      'ignore-case': { key: 'f', value: false },
      key: { key: 'k', value: true },
      'field-separator': { key: 't', value: true },
      'version-sort': { key: 'V', value: false },
      stable: { key: 's', value: false },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const flags = new Set([...o.values.keys()]);
  let key: SortKey | undefined;
  const keySpec = o.last('k');
  if (keySpec !== undefined) {
    const m = /^(\d+)(?:\.\d+)?([a-zA-Z]*)(?:,(\d+)(?:\.\d+)?([a-zA-Z]*))?$/.exec(keySpec);
    if (!m || m[1] === '0') return { stdout: '', stderr: `sort: invalid number at field start: invalid count at start of '${keySpec}'\n`, exitCode: 2 };
    key = { startField: Number(m[1]), endField: m[3] !== undefined ? Number(m[3]) : undefined };
    for (const letter of `${m[2]}${m[4] ?? ''}`) flags.add(letter);
  }
  const separator = o.last('t');
  if (separator !== undefined && separator.length !== 1) return { stdout: '', stderr: `sort: multi-character tab '${separator}'\n`, exitCode: 2 };
  const { inputs, errors } = readInputs(ctx, 'sort', o.operands);
  if (errors) return { stdout: '', stderr: errors.replace(/^sort: (.*): No such/gm, 'sort: cannot read: $1: No such'), exitCode: 2 };

  const lines = inputs.flatMap((i) => splitLines(i.text));
  // Steps per comparison: cutting out key fields and version order cost more than plain strings.
  const perCompare = flags.has('V') ? 50 : key !== undefined || separator !== undefined ? 20 : 3;
  const compareKeys = (a: string, b: string): number => {
    ctx.budget.spend(perCompare);
    const ka = keyOf(a, key, separator);
    const kb = keyOf(b, key, separator);
    if (flags.has('h')) return humanValue(ka) - humanValue(kb);
    if (flags.has('n') || flags.has('g')) return numericValue(ka) - numericValue(kb);
    if (flags.has('V')) return ka.localeCompare(kb, 'en', { numeric: true });
    const ca = flags.has('f') ? ka.toUpperCase() : ka;
    const cb = flags.has('f') ? kb.toUpperCase() : kb;
    return ca < cb ? -1 : ca > cb ? 1 : 0;
  };
  const sign = flags.has('r') ? -1 : 1;
  const sorted = [...lines].sort((a, b) => {
    const byKey = compareKeys(a, b);
    if (byKey !== 0 || flags.has('u') || flags.has('s')) return sign * byKey;
    return sign * (a < b ? -1 : a > b ? 1 : 0); // GNU's last-resort whole-line comparison
  });
  const result = flags.has('u') ? sorted.filter((line, i) => i === 0 || compareKeys(sorted[i - 1]!, line) !== 0) : sorted;
  return { stdout: joinLines(result), stderr: '', exitCode: 0 };
};

export const uniq: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('uniq', argv.slice(1), {
    flags: 'cdui',
    valued: 'fs',
    long: {
      count: { key: 'c', value: false },
      repeated: { key: 'd', value: false },
      unique: { key: 'u', value: false },
      'ignore-case': { key: 'i', value: false },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { inputs, errors } = readInputs(ctx, 'uniq', o.operands.slice(0, 1));
  if (errors) return { stdout: '', stderr: errors, exitCode: 1 };
  const same = (a: string, b: string): boolean => (o.has('i') ? a.toLowerCase() === b.toLowerCase() : a === b);
  const groups: { line: string; n: number }[] = [];
  for (const line of splitLines(inputs[0]?.text ?? '')) {
    const last = groups.at(-1);
    if (last && same(last.line, line)) last.n++;
    else groups.push({ line, n: 1 });
  }
  const kept = groups.filter((g) => (!o.has('d') || g.n > 1) && (!o.has('u') || g.n === 1));
  return { stdout: joinLines(kept.map((g) => (o.has('c') ? `${String(g.n).padStart(7)} ${g.line}` : g.line))), stderr: '', exitCode: 0 };
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
