// GNU xargs: builds command lines from stdin items and runs them (`-n N`, `-I {}`, `-r`, `-t`).
// It finds programs, not shell builtins, like the real one.
import { STEPS_PER_COMMAND } from '../budget.js';
import type { ProgramResult, ShellProgram } from '../program.js';
import { MAX_OUTPUT_CHARS, MAX_STAGE_CHARS } from '../limits.js';
import { parseOptions } from './common.js';

/** xargs' default splitting: blanks and newlines, honouring quotes and backslashes. */
function items(input: string): string[] | { error: string } {
  const out: string[] = [];
  let current = '';
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\n') return { error: `xargs: unmatched ${quote === '"' ? 'double' : 'single'} quote; by default quotes are special to xargs unless you use the -0 option\n` };
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < input.length) {
      current += input[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(current);
      current = '';
      has = false;
    } else {
      current += c;
      has = true;
    }
  }
  if (quote) return { error: `xargs: unmatched ${quote === '"' ? 'double' : 'single'} quote; by default quotes are special to xargs unless you use the -0 option\n` };
  if (has) out.push(current);
  return out;
}

export const xargs: ShellProgram = (ctx, argv, shell) => {
  // Options stop at the first operand (the command), which keeps its own flags.
  const firstOperand = argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && !['-n', '-I', '-L', '-d', '-P', '-s'].includes(argv[i - 1]!));
  const own = argv.slice(1, firstOperand < 0 ? undefined : firstOperand);
  const parsed = parseOptions('xargs', own, {
    flags: 'rt0px',
    valued: 'nILdPs',
    long: { 'no-run-if-empty': { key: 'r', value: false }, 'max-args': { key: 'n', value: true }, verbose: { key: 't', value: false }, null: { key: '0', value: false } },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const command = firstOperand < 0 ? ['echo'] : argv.slice(firstOperand);
  const replace = o.last('I');
  ctx.budget.spendText(ctx.stdin);
  let list: string[];
  if (replace !== undefined || o.has('L')) list = ctx.stdin.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  else if (o.has('0')) list = ctx.stdin.split('\0').filter((l) => l !== '');
  else {
    const split = items(ctx.stdin);
    if (!Array.isArray(split)) return { stdout: '', stderr: split.error, exitCode: 1 };
    list = split;
  }
  const perRun = replace !== undefined ? 1 : Number(o.last('n') ?? o.last('L') ?? 0) || list.length;
  const runs: string[][] = [];
  if (list.length === 0) {
    if (!o.has('r') && replace === undefined) runs.push(command);
  } else {
    for (let i = 0; i < list.length; i += perRun) {
      const chunk = list.slice(i, i + perRun);
      if (replace === undefined) {
        runs.push([...command, ...chunk]);
        continue;
      }
      // -I repeats the item once per `{}`: measure the command line before building it.
      const pieces = command.map((a) => a.split(replace));
      const length = pieces.reduce((sum, p) => sum + p.join('').length + (p.length - 1) * chunk[0]!.length, 0);
      if (length > MAX_OUTPUT_CHARS) return { stdout: '', stderr: 'xargs: argument line too long\n', exitCode: 1 };
      runs.push(pieces.map((p) => p.join(chunk[0]!)));
    }
  }
  const total: ProgramResult = { stdout: '', stderr: '', exitCode: 0 };
  for (const run of runs) {
    // The shell cuts output past MAX_STAGE_CHARS anyway: stop running once there.
    if (total.stdout.length + total.stderr.length > MAX_STAGE_CHARS) break;
    if (o.has('t')) total.stderr += `${run.join(' ')}\n`;
    ctx.budget.spend(STEPS_PER_COMMAND + run.reduce((sum, arg) => sum + arg.length, 0));
    const found = shell.find(ctx, run[0]!, true);
    if (!found) return { ...total, stderr: `${total.stderr}xargs: ${run[0]}: No such file or directory\n`, exitCode: 127 };
    const result = found({ ...ctx, stdin: '' }, run, shell);
    total.stdout += result.stdout;
    total.stderr += result.stderr;
    if (result.exitCode === 255) return { ...total, stderr: `${total.stderr}xargs: ${run[0]}: exited with status 255; aborting\n`, exitCode: 124 };
    if (result.exitCode !== 0) total.exitCode = 123;
  }
  return total;
};
