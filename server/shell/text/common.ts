// What the text tools share: GNU-style option parsing (clustered short options, `--long=value`,
// options after operands) with coreutils' error wording, and reading stdin or node files.
import { readFile } from '../vfs.js';
import type { CommandContext, CommandResult } from '../types.js';

export interface OptionSpec {
  /** Short options without a value, e.g. 'ivcnowx'. */
  flags?: string;
  /** Short options taking a value, e.g. 'ABCe'. */
  valued?: string;
  /** Long names → the short letter (or own key) they mean, and whether they take a value. */
  long?: Record<string, { key: string; value: boolean }>;
  /** Tool-specific text after the error line (`Usage: …` lines), before `Try '… --help'`. */
  usage?: string;
  /** Exit code for usage errors (grep uses 2, most coreutils 1). */
  usageExit?: number;
}

export interface ParsedOptions {
  /** Values per option key in order given ('' for flags). */
  values: Map<string, string[]>;
  operands: string[];
  has(key: string): boolean;
  last(key: string): string | undefined;
  all(key: string): string[];
}

export type OptionsResult = { ok: true; opts: ParsedOptions } | { ok: false; error: CommandResult };

export function usageError(tool: string, message: string, spec: Pick<OptionSpec, 'usage' | 'usageExit'>): CommandResult {
  return {
    stdout: '',
    stderr: `${tool}: ${message}\n${spec.usage ?? ''}Try '${tool} --help' for more information.\n`,
    exitCode: spec.usageExit ?? 1,
  };
}

export function parseOptions(tool: string, args: string[], spec: OptionSpec): OptionsResult {
  const values = new Map<string, string[]>();
  const operands: string[] = [];
  const add = (key: string, value: string): void => {
    values.set(key, [...(values.get(key) ?? []), value]);
  };
  const flags = spec.flags ?? '';
  const valued = spec.valued ?? '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const matches = Object.keys(spec.long ?? {}).filter((l) => l === name || l.startsWith(name));
      const exact = matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
      if (exact === undefined) {
        const msg = matches.length > 1 ? `option '${arg}' is ambiguous` : `unrecognized option '${arg}'`;
        return { ok: false, error: usageError(tool, msg, spec) };
      }
      const long = spec.long![exact]!;
      if (long.value) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) return { ok: false, error: usageError(tool, `option '--${exact}' requires an argument`, spec) };
        add(long.key, value);
      } else {
        if (eq >= 0) return { ok: false, error: usageError(tool, `option '--${exact}' doesn't allow an argument`, spec) };
        add(long.key, '');
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (valued.includes(letter)) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
          if (value === undefined) return { ok: false, error: usageError(tool, `option requires an argument -- '${letter}'`, spec) };
          add(letter, value);
          break;
        }
        if (!flags.includes(letter)) return { ok: false, error: usageError(tool, `invalid option -- '${letter}'`, spec) };
        add(letter, '');
      }
      continue;
    }
    operands.push(arg);
  }
  return {
    ok: true,
    opts: {
      values,
      operands,
      has: (key) => values.has(key),
      last: (key) => values.get(key)?.at(-1),
      all: (key) => values.get(key) ?? [],
    },
  };
}

export interface Input {
  name: string;
  text: string;
}

/**
 * The texts a tool reads: stdin when there are no operands (or `-`), else the named files
 * (vfs.readFile: the player's files, a node's with its permissions, /dev/fd/N of `<(…)`).
 */
export function readInputs(ctx: CommandContext, tool: string, names: string[]): { inputs: Input[]; errors: string } {
  const read = readInputTexts(ctx, tool, names);
  for (const input of read.inputs) ctx.budget.spendText(input.text); // every tool goes through its input once
  return read;
}

function readInputTexts(ctx: CommandContext, tool: string, names: string[]): { inputs: Input[]; errors: string } {
  if (names.length === 0) return { inputs: [{ name: '(standard input)', text: ctx.stdin }], errors: '' };
  const inputs: Input[] = [];
  let errors = '';
  for (const name of names) {
    if (name === '-') {
      inputs.push({ name: '(standard input)', text: ctx.stdin });
      continue;
    }
    const file = readFile(ctx, tool, name);
    if (file.ok) inputs.push({ name, text: file.content });
    else errors += file.error;
  }
  return { inputs, errors };
}

/** Lines of a text, without the empty string after the final newline. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function joinLines(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

/** A non-negative integer option value, or undefined when it is not one. */
export function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
