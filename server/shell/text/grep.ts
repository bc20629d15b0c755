// GNU grep: -i -v -E -F -c -n -b -o -w -x -l -L -q -s -h -H, -e PATTERN (repeatable), -A/-B/-C
// context with `--` group separators; exit 0 on a match, 1 on none, 2 on errors. `egrep` = -E.
import type { ShellCommand } from '../types.js';
import { count, parseOptions, readInputs, splitLines } from './common.js';
import { compileRegex, type Matcher } from './regex.js';

const SPEC = {
  flags: 'ivEFGcnowxlLqshHrRPaTZUzb',
  valued: 'eABCmf',
  long: {
    'ignore-case': { key: 'i', value: false },
    'invert-match': { key: 'v', value: false },
    'extended-regexp': { key: 'E', value: false },
    'fixed-strings': { key: 'F', value: false },
    'basic-regexp': { key: 'G', value: false },
    'perl-regexp': { key: 'P', value: false },
    count: { key: 'c', value: false },
    'line-number': { key: 'n', value: false },
    'only-matching': { key: 'o', value: false },
    'word-regexp': { key: 'w', value: false },
    'line-regexp': { key: 'x', value: false },
    'files-with-matches': { key: 'l', value: false },
    'files-without-match': { key: 'L', value: false },
    'byte-offset': { key: 'b', value: false },
    quiet: { key: 'q', value: false },
    silent: { key: 'q', value: false },
    'no-messages': { key: 's', value: false },
    'no-filename': { key: 'h', value: false },
    'with-filename': { key: 'H', value: false },
    regexp: { key: 'e', value: true },
    'after-context': { key: 'A', value: true },
    'before-context': { key: 'B', value: true },
    context: { key: 'C', value: true },
    'max-count': { key: 'm', value: true },
    color: { key: 'color', value: false },
    colour: { key: 'color', value: false },
    recursive: { key: 'r', value: false },
  },
  usage: 'Usage: grep [OPTION]... PATTERNS [FILE]...\n',
  usageExit: 2,
};

function grepWith(extendedByName: boolean): ShellCommand {
  return (ctx, argv) => {
    const tool = 'grep';
    // --color=auto is common muscle memory; colour is irrelevant here.
    const args = argv.slice(1).filter((a) => !/^--colou?r(=\w+)?$/.test(a));
    const parsed = parseOptions(tool, args, SPEC);
    if (!parsed.ok) return parsed.error;
    const o = parsed.opts;
    const operands = [...o.operands];
    const patterns = o.has('e') ? o.all('e') : operands.length > 0 ? [operands.shift()!] : undefined;
    if (patterns === undefined) return { stdout: '', stderr: `${SPEC.usage}Try 'grep --help' for more information.\n`, exitCode: 2 };

    const contextValue = (key: string): number | undefined | 'bad' => {
      const v = o.last(key);
      if (v === undefined) return undefined;
      return count(v) ?? 'bad';
    };
    const after = contextValue('A') ?? contextValue('C') ?? 0;
    const before = contextValue('B') ?? contextValue('C') ?? 0;
    if (after === 'bad' || before === 'bad') return { stdout: '', stderr: `grep: ${o.last('A') ?? o.last('B') ?? o.last('C')}: invalid context length argument\n`, exitCode: 2 };
    const maxCount = o.has('m') ? count(o.last('m')) : undefined;

    const regexes: Matcher[] = [];
    // Each -e value may hold several newline-separated patterns, as in GNU grep.
    for (const pattern of patterns.flatMap((p) => p.split('\n'))) {
      const re = compileRegex(pattern, {
        extended: extendedByName || o.has('E') || o.has('P'),
        perl: o.has('P'),
        fixed: o.has('F'),
        ignoreCase: o.has('i'),
        word: o.has('w'),
        line: o.has('x'),
      }, ctx.budget);
      // GNU reports a pattern ending in an open `[` more vaguely than an unclosed one.
      if ('error' in re) return { stdout: '', stderr: `grep: ${/\[$/.test(pattern) ? 'Invalid regular expression' : re.error}\n`, exitCode: 2 };
      regexes.push(re);
    }

    const { inputs, errors } = readInputs(ctx, tool, operands);
    const showNames = o.has('H') || (inputs.length > 1 && !o.has('h'));
    const invert = o.has('v');
    let out = '';
    let matchedAny = false;
    for (const input of inputs) {
      const lines = splitLines(input.text);
      // -b: the byte offset of each line (or match) in its input.
      const offsets: number[] = [];
      if (o.has('b')) lines.reduce((at, line, i) => ((offsets[i] = at), at + Buffer.byteLength(line, 'utf8') + 1), 0);
      const prefix = (n: number, sep: string, within = 0): string =>
        `${showNames ? `${input.name}${sep}` : ''}${o.has('n') ? `${n + 1}${sep}` : ''}${o.has('b') ? `${offsets[n]! + within}${sep}` : ''}`;
      const matches = lines.map((line) => regexes.some((re) => re.test(line)) !== invert);
      let selected = matches.map((m, i) => (m ? i : -1)).filter((i) => i >= 0);
      if (maxCount !== undefined) selected = selected.slice(0, maxCount);
      if (selected.length > 0) matchedAny = true;
      if (o.has('q')) continue;
      if (o.has('l') || o.has('L')) {
        if ((selected.length > 0) === o.has('l')) out += `${input.name}\n`;
        continue;
      }
      if (o.has('c')) {
        out += `${showNames ? `${input.name}:` : ''}${selected.length}\n`;
        continue;
      }
      if (o.has('o')) {
        if (invert) continue; // GNU prints nothing for -o -v
        for (const i of selected) {
          const line = lines[i]!;
          for (const m of allMatches(regexes, line)) out += `${prefix(i, ':', Buffer.byteLength(line.slice(0, m.at), 'utf8'))}${m.text}\n`;
        }
        continue;
      }
      out += withContext(lines, selected, before, after, prefix);
    }
    const shownErrors = o.has('s') ? '' : errors;
    const exitCode = errors && !(o.has('q') && matchedAny) ? 2 : matchedAny ? 0 : 1;
    return { stdout: out, stderr: shownErrors, exitCode };
  };
}

/** Non-empty matches of any pattern, left to right (what -o prints). */
function allMatches(regexes: Matcher[], line: string): { at: number; text: string }[] {
  const found: { at: number; text: string }[] = [];
  for (const re of regexes) {
    for (const m of re.matchAll(line)) if (m.text !== '') found.push({ at: m.index, text: m.text });
  }
  found.sort((a, b) => a.at - b.at);
  const result: { at: number; text: string }[] = [];
  let end = 0;
  for (const f of found) {
    if (f.at < end) continue;
    result.push(f);
    end = f.at + f.text.length;
  }
  return result;
}

/** Selected lines with -A/-B context: `:` marks matches, `-` context, `--` separates groups. */
function withContext(lines: string[], selected: number[], before: number, after: number, prefix: (n: number, sep: string) => string): string {
  if (before === 0 && after === 0) return selected.map((i) => `${prefix(i, ':')}${lines[i]}\n`).join('');
  const isMatch = new Set(selected);
  const shown = new Set<number>();
  for (const i of selected) {
    for (let j = Math.max(0, i - before); j <= Math.min(lines.length - 1, i + after); j++) shown.add(j);
  }
  let out = '';
  let previous = -2;
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (previous >= 0 && i > previous + 1) out += '--\n';
    out += `${prefix(i, isMatch.has(i) ? ':' : '-')}${lines[i]}\n`;
    previous = i;
  }
  return out;
}

export const grep = grepWith(false);
export const egrep = grepWith(true);
export const fgrep: ShellCommand = (ctx, argv) => grep(ctx, [argv[0]!, '-F', ...argv.slice(1)]);
