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

/**
 * -I, -n and -L in the order given: each undoes the ones before it with findutils' warning,
 * except that -n1 keeps -I (which runs one item a command anyway).
 */
function countOptions(own: string[]): { replace?: string; maxArgs?: string; maxLines?: string; warnings: string } {
  let replace: string | undefined;
  let maxArgs: string | undefined;
  let maxLines: string | undefined;
  let warnings = '';
  const warn = (before: string, now: string): void => {
    warnings += `xargs: warning: options ${before} and ${now} are mutually exclusive, ignoring previous ${before} value\n`;
  };
  const LONG: Record<string, string> = { '--max-args': 'n', '--replace': 'I', '--max-lines': 'L' };
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    let key: string | undefined;
    let value: string | undefined;
    const long = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (long) {
      key = LONG[long[1]!];
      value = long[2] ?? (key && key !== 'I' ? own[++i] : '{}');
    } else if (arg.startsWith('-')) {
      for (let j = 1; j < arg.length; j++) {
        if (!'nILdPs'.includes(arg[j]!)) continue;
        key = arg[j];
        value = j + 1 < arg.length ? arg.slice(j + 1) : own[++i];
        break;
      }
    }
    if (value === undefined) continue;
    if (key === 'I') {
      if (maxArgs !== undefined) warn('--max-args', '--replace/-I/-i');
      if (maxLines !== undefined) warn('--max-lines', '--replace/-I/-i');
      [replace, maxArgs, maxLines] = [value, undefined, undefined];
    } else if (key === 'n') {
      if (maxLines !== undefined) warn('--max-lines', '--max-args/-n');
      if (replace !== undefined && value !== '1') {
        warn('--replace', '--max-args/-n');
        replace = undefined;
      }
      [maxArgs, maxLines] = [value, undefined];
    } else if (key === 'L') {
      if (maxArgs !== undefined) warn('--max-args', '-L');
      if (replace !== undefined) warn('--replace', '-L');
      [maxLines, maxArgs, replace] = [value, undefined, undefined];
    }
  }
  return { ...(replace !== undefined ? { replace } : {}), ...(maxArgs !== undefined ? { maxArgs } : {}), ...(maxLines !== undefined ? { maxLines } : {}), warnings };
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
  const { replace, maxArgs, maxLines, warnings } = countOptions(own);
  ctx.budget.spendText(ctx.stdin);
  let list: string[];
  if (replace !== undefined || maxLines !== undefined) list = ctx.stdin.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  else if (o.has('0')) list = ctx.stdin.split('\0').filter((l) => l !== '');
  else {
    const split = items(ctx.stdin);
    if (!Array.isArray(split)) return { stdout: '', stderr: split.error, exitCode: 1 };
    list = split;
  }
  const perRun = replace !== undefined ? 1 : Number(maxArgs ?? maxLines ?? 0) || list.length;
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
  // The warnings come as the options are read, before any command's output.
  const total: ProgramResult = { stdout: '', stderr: '', exitCode: 0, ...(warnings ? { stderrFirst: warnings } : {}) };
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
