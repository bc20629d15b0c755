// The text tools every shell has, reading stdin (or node files) and writing stdout.
import type { ShellCommand } from '../types.js';
import { base64 } from './base64.js';
import { column, cut, tr } from './fields.js';
import { egrep, fgrep, grep } from './grep.js';
import { cat, head, tail, tee } from './head-tail.js';
import { jq } from './jq/index.js';
import { expand, fold, md5sum, nl, paste, rev, seq, sha256sum, tac, yes } from './lines.js';
import { diff } from './diff.js';
import { sed } from './sed.js';
import { sort, uniq, wc } from './sort.js';
import { FormatError, sprintf } from './sprintf.js';
import { STEPS_PER_RECORD } from '../budget.js';
import { MAX_OUTPUT_CHARS } from '../limits.js';

import { wallClock } from '../../cluster/logs.js';
import { ansiCQuote, escapedByte, settleBytes } from '../bytes.js';
import { strftime } from '../strftime.js';

export { xargs } from './xargs.js';
export { awk } from './awk.js';

/** printf's backslash escapes (in the format, and in `%b` arguments): \n \t \\ \0NNN \NNN \xHH … */
function printfEscapes(text: string, octalNeedsZero: boolean): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '"': '"', "'": "'" };
  return settleBytes(text.replace(/\\(x[0-9a-fA-F]{1,2}|0[0-7]{0,3}|[1-7][0-7]{0,2}|.)/g, (all, e: string) => {
    if (e[0] === 'x') return escapedByte(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e) && (e[0] === '0' || !octalNeedsZero)) return escapedByte(parseInt(e.slice(e[0] === '0' && octalNeedsZero ? 1 : 0) || '0', 8));
    return simple[e] ?? all;
  }));
}

/** bash's %q: the argument quoted so the shell reads it back as one word. */
function shellQuote(text: string): string {
  if (text === '') return "''";
  if (/[\x00-\x1f\x7f]/.test(text)) return ansiCQuote(text);
  return text.replace(/[^A-Za-z0-9_./:=@%^,+\-]/g, '\\$&');
}

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+)?)?(\([^)]*\)T|[a-zA-Z%])/g;

/**
 * One round of the format over `args`: `%b` and `%q` become `%s` of the converted argument,
 * and how many arguments the round took.
 */
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * An argument of a numeric conversion as bash reads it: C's constants (0x1f, 010), `'A` for a
 * character's code, leading blanks; what does not parse whole is bash's error with the value of
 * what did, and an integer out of range its warning, clamped. `unsigned` (%o %u %x %X): bash
 * reads it with strtoumax, up to 2^64-1, a negative one taken modulo 2^64 (printf '%x' -1).
 */
function printfNumber(arg: string, integer: boolean, unsigned = false): { value: bigint | number; error?: string; warning?: string } {
  const quoted = /^['"]([\s\S]?)/u.exec(arg);
  if (quoted) return { value: integer ? BigInt(quoted[1]?.codePointAt(0) ?? 0) : quoted[1]?.codePointAt(0) ?? 0 };
  if (arg === '') return { value: integer ? 0n : 0 };
  const trimmed = arg.replace(/^[ \t\n]+/, '');
  const m = integer ? /^[-+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(trimmed) : /^[-+]?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf(inity)?|nan)/i.exec(trimmed);
  const text = m?.[0] ?? '';
  const invalid = (): string => {
    const what = /^[-+]?0[xX]/.test(trimmed) ? 'invalid hex number' : integer && /^[-+]?0\d/.test(trimmed) ? 'invalid octal number' : 'invalid number';
    return `bash: printf: ${arg}: ${what}\n`;
  };
  if (!integer) {
    const value = text === '' ? 0 : /^[-+]?0[xX]/.test(text) ? Number.parseInt(text, 16) : Number(text.replace(/inf(inity)?/i, 'Infinity').replace(/^([-+]?)nan$/i, 'NaN'));
    return text.length === trimmed.length ? { value } : { value, error: invalid() };
  }
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '');
  let value = digits === '' ? 0n : BigInt(/^0[xX]/.test(digits) ? digits : /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
  if (negative) value = -value;
  const error = text.length === trimmed.length ? undefined : invalid();
  if (unsigned ? value > UINT64_MAX || value < -UINT64_MAX : value > INT64_MAX || value < -INT64_MAX - 1n) {
    value = unsigned ? UINT64_MAX : value > 0n ? INT64_MAX : -INT64_MAX - 1n;
    return error ? { value, error } : { value, warning: `bash: printf: warning: ${arg}: Numerical result out of range\n` };
  }
  if (unsigned) value = BigInt.asUintN(64, value);
  return error ? { value, error } : { value };
}

function printfRound(format: string, args: string[], from: number, now: Date): { format: string; args: (string | bigint | number)[]; used: number; errors: string; failed: boolean } {
  const out: (string | bigint | number)[] = [];
  let errors = '';
  let failed = false;
  let used = 0;
  const converted = format.replace(CONVERSION, (all, flags: string, width: string | undefined, precision: string | undefined, kind: string) => {
    if (kind === '%') return all;
    for (const star of [width, precision]) if (star === '*') out.push(args[from + used++] ?? '0');
    const arg = args[from + used++];
    if (kind.startsWith('(')) {
      // `%(FORMAT)T`: strftime of the argument's epoch seconds; none, -1 and -2 (the shell's start) are now.
      const read = arg === undefined || arg === '' ? { value: -1n } : printfNumber(arg, true);
      errors += read.error ?? read.warning ?? '';
      failed ||= read.error !== undefined;
      const seconds = read.value === -1n || read.value === -2n ? undefined : Number(read.value);
      out.push(strftime(seconds === undefined ? now : new Date(seconds * 1000), kind.slice(1, -2)));
      return `${all.slice(0, all.length - kind.length)}s`;
    }
    if (kind === 'b' || kind === 'q') {
      out.push(arg === undefined ? '' : kind === 'b' ? printfEscapes(arg, true) : shellQuote(arg));
      return all.slice(0, -1) + 's';
    }
    if (arg !== undefined && 'diouxXeEfgG'.includes(kind)) {
      const n = printfNumber(arg, 'diouxX'.includes(kind), 'ouxX'.includes(kind));
      out.push(n.value);
      // An out-of-range warning leaves the status 0; an invalid number makes it 1.
      errors += n.error ?? n.warning ?? '';
      failed ||= n.error !== undefined;
    } else if (arg !== undefined) out.push(arg);
    return all;
  });
  return { format: converted, args: out, used, errors, failed };
}

/** bash's printf: the format is reused until the arguments run out. */
const printf: ShellCommand = (ctx, argv) => {
  // Options end at `--`; any other first word starting with `-` (but `-` itself) is one bash refuses.
  const first = argv[1];
  if (first !== undefined && first !== '--' && first.length > 1 && first.startsWith('-')) {
    return { stdout: '', stderr: `bash: printf: ${first.slice(0, 2)}: invalid option\nprintf: usage: printf [-v var] format [arguments]\n`, exitCode: 2 };
  }
  const [format, ...args] = argv.slice(first === '--' ? 2 : 1);
  if (format === undefined) return { stdout: '', stderr: 'bash: printf: usage: printf [-v var] format [arguments]\n', exitCode: 2 };
  const escaped = printfEscapes(format, false);
  try {
    let out = '';
    let stderr = '';
    let failed = false;
    let at = 0;
    // Past the output cap the rest would be cut anyway: stop reusing the format.
    do {
      ctx.budget.spend(STEPS_PER_RECORD); // one round of the format
      const round = printfRound(escaped, args, at, wallClock(ctx.state, ctx.state.now));
      out += sprintf(round.format, round.args);
      stderr += round.errors;
      failed ||= round.failed;
      if (round.used === 0) break;
      at += round.used;
    } while (at < args.length && out.length <= MAX_OUTPUT_CHARS);
    // bash complains as it reads the arguments, and writes the text once done.
    return { stdout: out, stderr: '', exitCode: failed ? 1 : 0, ...(stderr ? { stderrFirst: stderr } : {}) };
  } catch (error) {
    if (error instanceof FormatError) return { stdout: '', stderr: `bash: printf: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
};

export const textTools: Record<string, ShellCommand> = {
  grep, egrep, fgrep, head, tail, cat, tee, less: cat, more: cat, wc, sort, uniq, cut, tr, column, sed, jq, base64, printf,
  paste, nl, rev, tac, expand, fold, seq, yes, md5sum, sha256sum, diff,
};
