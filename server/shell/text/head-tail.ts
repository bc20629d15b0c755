// head, tail, cat and tee: reading stdin (or node files) and passing lines through.
import { writeFileCharged } from '../vfs.js';
import type { CommandResult, ShellCommand } from '../types.js';
import type { Input } from './common.js';
import { joinLines, parseOptions, readInputs, splitLines } from './common.js';

/** `-5` is the old spelling of `-n 5`. */
const legacyCount = (args: string[]): string[] =>
  args.map((a, i) => (/^-\d+$/.test(a) && !/^-[nc]$|^--(lines|bytes)$/.test(args[i - 1] ?? '') ? `-n${a.slice(1)}` : a));

const SPEC = (tool: string) => ({
  flags: 'qvfF',
  valued: 'nc',
  long: {
    lines: { key: 'n', value: true },
    bytes: { key: 'c', value: true },
    quiet: { key: 'q', value: false },
    silent: { key: 'q', value: false },
    verbose: { key: 'v', value: false },
    follow: { key: 'f', value: false },
    ...(tool === 'tail' ? { retry: { key: 'retry', value: false } } : {}),
  },
});

/** Prints each input through `pick`, with `==> name <==` headers when there are several. */
function eachInput(inputs: Input[], headers: boolean, pick: (text: string) => string): string {
  return inputs.map((input, i) => `${headers ? `${i > 0 ? '\n' : ''}==> ${input.name} <==\n` : ''}${pick(input.text)}`).join('');
}

function takeLines(text: string, n: number, fromEnd: boolean, fromStart: boolean): string {
  const lines = splitLines(text);
  const trailingNewline = text.endsWith('\n');
  let kept: string[];
  if (fromStart) kept = lines.slice(Math.max(0, n - 1));
  else if (fromEnd) kept = n === 0 ? [] : lines.slice(-n);
  else kept = lines.slice(0, n);
  const out = joinLines(kept);
  // A last line without newline stays without one.
  return !trailingNewline && kept.length > 0 && kept.at(-1) === lines.at(-1) ? out.slice(0, -1) : out;
}

function headTail(tool: 'head' | 'tail'): ShellCommand {
  return (ctx, argv) => {
    // `tail +N` is the old spelling of `tail -n +N` (but `-n +N` keeps its operand).
    const args = legacyCount(argv.slice(1)).map((a, i, all) =>
      tool === 'tail' && /^\+\d+$/.test(a) && all[i - 1] !== '-n' && all[i - 1] !== '--lines' ? `-n${a}` : a);
    const parsed = parseOptions(tool, args, SPEC(tool));
    if (!parsed.ok) return parsed.error;
    const o = parsed.opts;
    const raw = o.last('n') ?? o.last('c') ?? '10';
    const bytes = o.has('c') && !o.has('n');
    const m = /^([+-]?)(\d+)$/.exec(raw);
    if (!m) return { stdout: '', stderr: `${tool}: invalid number of ${bytes ? 'bytes' : 'lines'}: '${raw}'\n`, exitCode: 1 };
    const n = Number(m[2]);
    const sign = m[1];
    const { inputs, errors } = readInputs(ctx, tool, o.operands);
    const headers = o.has('v') || (inputs.length > 1 && !o.has('q'));
    const pick = (text: string): string => {
      if (bytes) {
        if (tool === 'head') return sign === '-' ? text.slice(0, Math.max(0, text.length - n)) : text.slice(0, n);
        return sign === '+' ? text.slice(Math.max(0, n - 1)) : text.slice(Math.max(0, text.length - n));
      }
      if (tool === 'head' && sign === '-') {
        const lines = splitLines(text);
        return joinLines(lines.slice(0, Math.max(0, lines.length - n)));
      }
      return takeLines(text, n, tool === 'tail', tool === 'tail' && sign === '+');
    };
    return { stdout: eachInput(inputs, headers, pick), stderr: errors, exitCode: errors ? 1 : 0 };
  };
}

export const head = headTail('head');
export const tail = headTail('tail');

/** cat -v's notation for one byte: ^X for controls (but tab and newline), M- for the high half. */
function visibleByte(byte: number, tabs: boolean): string {
  if (byte === 9) return tabs ? '^I' : '\t';
  if (byte === 10) return '\n';
  if (byte >= 128) return `M-${visibleByte(byte - 128, true)}`;
  if (byte < 32) return `^${String.fromCharCode(byte + 64)}`;
  return byte === 127 ? '^?' : String.fromCharCode(byte);
}

/**
 * coreutils cat: -n/-b number lines (all, non-blank), -s squeezes blank runs, -v shows
 * nonprinting bytes (of the UTF-8 text), -T tabs as ^I, -E a $ at each line end; -A is -vET,
 * -e is -vE, -t is -vT.
 */
export const cat: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('cat', argv.slice(1), {
    flags: 'nAbestuvTE',
    long: {
      number: { key: 'n', value: false }, 'number-nonblank': { key: 'b', value: false }, 'squeeze-blank': { key: 's', value: false },
      'show-all': { key: 'A', value: false }, 'show-nonprinting': { key: 'v', value: false }, 'show-tabs': { key: 'T', value: false }, 'show-ends': { key: 'E', value: false },
    },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { inputs, errors } = readInputs(ctx, 'cat', o.operands);
  let text = inputs.map((i) => i.text).join('');
  const nonprinting = o.has('v') || o.has('A') || o.has('e') || o.has('t');
  const tabs = o.has('T') || o.has('A') || o.has('t');
  const ends = o.has('E') || o.has('A') || o.has('e');
  if (nonprinting || tabs || ends || o.has('b') || o.has('s')) {
    ctx.budget.spendText(text);
    const trailing = text.endsWith('\n') || text === '';
    let lines = splitLines(text);
    if (o.has('s')) lines = lines.filter((l, i) => !(l === '' && i > 0 && lines[i - 1] === ''));
    if (nonprinting) lines = lines.map((l) => [...Buffer.from(l, 'utf8')].map((b) => visibleByte(b, tabs)).join(''));
    else if (tabs) lines = lines.map((l) => l.replaceAll('\t', '^I'));
    if (ends) lines = lines.map((l, i) => (i === lines.length - 1 && !trailing ? l : `${l}$`));
    let n = 0;
    if (o.has('b')) lines = lines.map((l) => (l === '' || l === '$' ? l : `${String(++n).padStart(6)}\t${l}`));
    else if (o.has('n')) lines = lines.map((l) => `${String(++n).padStart(6)}\t${l}`);
    text = trailing ? joinLines(lines) : joinLines(lines).replace(/\n$/, '');
  } else if (o.has('n')) text = joinLines(splitLines(text).map((l, i) => `${String(i + 1).padStart(6)}\t${l}`));
  return { stdout: text, stderr: errors, exitCode: errors ? 1 : 0 };
};

/** Devices tee may write to without a filesystem. */
const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

/** tee copies stdin to stdout and to each file (-a: appended), where the shell may write (vfs.ts). */
export const tee: ShellCommand = (ctx, argv): CommandResult => {
  const args = argv.slice(1);
  const append = args.some((a) => /^-[a-z]*a/.test(a) || a === '--append');
  const files = args.filter((a) => !a.startsWith('-') && !DEVICES.has(a));
  let stderr = '';
  for (const f of files) {
    const error = writeFileCharged(ctx, f, ctx.stdin, append);
    if (error) stderr += `tee: ${f}: ${error}\n`;
  }
  return { stdout: ctx.stdin, stderr, exitCode: stderr ? 1 : 0 };
};
