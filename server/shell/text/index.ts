// The text tools every shell has, reading stdin (or node files) and writing stdout.
import type { ShellCommand } from '../types.js';
import { base64 } from './base64.js';
import { column, cut, tr } from './fields.js';
import { egrep, fgrep, grep } from './grep.js';
import { cat, head, tail, tee } from './head-tail.js';
import { jq } from './jq/index.js';
import { expand, md5sum, nl, paste, rev, seq, sha256sum, tac, yes } from './lines.js';
import { diff } from './diff.js';
import { sed } from './sed.js';
import { sort, uniq, wc } from './sort.js';
import { FormatError, sprintf } from './sprintf.js';
import { STEPS_PER_RECORD } from '../budget.js';
import { MAX_OUTPUT_CHARS } from '../limits.js';

import { ansiCQuote, escapedByte, settleBytes } from '../bytes.js';

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

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+)?)?([a-zA-Z%])/g;

/**
 * One round of the format over `args`: `%b` and `%q` become `%s` of the converted argument,
 * and how many arguments the round took.
 */
function printfRound(format: string, args: string[], from: number): { format: string; args: string[]; used: number } {
  const out: string[] = [];
  let used = 0;
  const converted = format.replace(CONVERSION, (all, flags: string, width: string | undefined, precision: string | undefined, kind: string) => {
    if (kind === '%') return all;
    for (const star of [width, precision]) if (star === '*') out.push(args[from + used++] ?? '0');
    const arg = args[from + used++];
    if (kind === 'b' || kind === 'q') {
      out.push(arg === undefined ? '' : kind === 'b' ? printfEscapes(arg, true) : shellQuote(arg));
      return all.slice(0, -1) + 's';
    }
    if (arg !== undefined) out.push(arg);
    return all;
  });
  return { format: converted, args: out, used };
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
    let at = 0;
    // Past the output cap the rest would be cut anyway: stop reusing the format.
    do {
      ctx.budget.spend(STEPS_PER_RECORD); // one round of the format
      const round = printfRound(escaped, args, at);
      out += sprintf(round.format, round.args);
      if (round.used === 0) break;
      at += round.used;
    } while (at < args.length && out.length <= MAX_OUTPUT_CHARS);
    return { stdout: out, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof FormatError) return { stdout: '', stderr: `bash: printf: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
};

export const textTools: Record<string, ShellCommand> = {
  grep, egrep, fgrep, head, tail, cat, tee, less: cat, more: cat, wc, sort, uniq, cut, tr, column, sed, jq, base64, printf,
  paste, nl, rev, tac, expand, seq, yes, md5sum, sha256sum, diff,
};
