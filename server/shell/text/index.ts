// The text tools every shell has, reading stdin (or node files) and writing stdout.
import type { ShellCommand } from '../types.js';
import { awk } from './awk.js';
import { base64 } from './base64.js';
import { column, cut, tr } from './fields.js';
import { egrep, fgrep, grep } from './grep.js';
import { cat, head, tail, tee } from './head-tail.js';
import { jq } from './jq.js';
import { sed } from './sed.js';
import { sort, uniq, wc } from './sort.js';
import { FormatError, sprintf } from './sprintf.js';
import { STEPS_PER_RECORD } from '../budget.js';
import { MAX_OUTPUT_CHARS } from '../limits.js';

export { xargs } from './xargs.js';

/** bash's printf: the format is reused until the arguments run out. */
const printf: ShellCommand = (ctx, argv) => {
  const [format, ...args] = argv.slice(1);
  if (format === undefined) return { stdout: '', stderr: 'bash: printf: usage: printf [-v var] format [arguments]\n', exitCode: 2 };
  const escaped = format.replace(/\\(n|t|r|\\|a|e|")/g, (_all, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', e: '\x1b', '"': '"' })[c] ?? c);
  const perRound = (escaped.match(/%[^%]*?[diouxXeEfgGcsb]/g) ?? []).length;
  try {
    let out = sprintf(escaped, args);
    // Past the output cap the rest would be cut anyway: stop reusing the format.
    for (let used = perRound; perRound > 0 && used < args.length && out.length <= MAX_OUTPUT_CHARS; used += perRound) {
      ctx.budget.spend(STEPS_PER_RECORD); // one round of the format
      out += sprintf(escaped, args.slice(used, used + 3 * perRound)); // at most 3 per conversion: %*.*d
    }
    return { stdout: out, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof FormatError) return { stdout: '', stderr: `bash: printf: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
};

export const textTools: Record<string, ShellCommand> = {
  grep, egrep, fgrep, head, tail, cat, tee, less: cat, more: cat, wc, sort, uniq, cut, tr, column, awk, mawk: awk, gawk: awk, sed, jq, base64, printf,
};
