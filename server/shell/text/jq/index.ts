// jq as a shell program: jq 1.6's options, input stream, output formats, messages and exit
// statuses (3 compile error, 5 runtime error, 2 usage, -e rules). The language is in
// parse.ts / eval.ts / builtins.ts.
import type { CommandContext, CommandResult, ShellCommand } from '../../types.js';
import { MAX_STAGE_CHARS } from '../../limits.js';
import { STEPS_PER_RECORD } from '../../budget.js';
import { readInputs } from '../common.js';
import { BUILTIN_ENV, BUILTIN_NAMES, NATIVES } from './builtins.js';
import { BudgetExceeded, Evaluator, bindValue, startBudget, stepsLeft, patternVars, type Env, type Runtime } from './eval.js';
import { InputError, lineCount, parseStream } from './input.js';
import { JqSyntaxError, parseJq, type Json, type Node, type Pattern } from './parse.js';
import { JqRuntimeError, dump, errorDump, newObject, printed, truthy, type DumpOptions } from './value.js';
import { KeptPrograms } from '../kept.js';

/** Evaluation steps one jq run may take (about 50 ms): far more than any query over a cluster's JSON needs. */
const MAX_STEPS = 400_000;
/** Line-budget steps one jq step costs: a run stops on its own allowance (jq's message) before the line's budget. */
const LINE_STEPS_PER_JQ_STEP = 4;

const USAGE = 'Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://stedolan.github.io/jq\n';

interface Options {
  raw: boolean;
  join: boolean;
  compact: boolean;
  tab: boolean;
  indent: number;
  sortKeys: boolean;
  ascii: boolean;
  exitStatus: boolean;
  slurp: boolean;
  nullInput: boolean;
  rawInput: boolean;
  named: Record<string, Json>;
  filter?: string;
  files: string[];
}

function parseArgs(args: string[]): Options | CommandResult {
  const o: Options = { raw: false, join: false, compact: false, tab: false, indent: 2, sortKeys: false, ascii: false, exitStatus: false, slurp: false, nullInput: false, rawInput: false, named: newObject(), files: [] };
  const positional: string[] = [];
  const unknown = (arg: string): CommandResult => ({ stdout: '', stderr: `jq: Unknown option ${arg}\n${USAGE}`, exitCode: 2 });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // jq takes `-5 | length` for the program: only letters make short options.
    if (!arg.startsWith('-') || arg === '-' || !/^-(-.+|[A-Za-z]+)$/.test(arg)) {
      positional.push(arg);
      continue;
    }
    const long: Record<string, () => void> = {
      '--raw-output': () => (o.raw = true), '--join-output': () => (o.raw = o.join = true), '--compact-output': () => (o.compact = true),
      '--tab': () => (o.tab = true), '--sort-keys': () => (o.sortKeys = true), '--ascii-output': () => (o.ascii = true),
      '--exit-status': () => (o.exitStatus = true), '--slurp': () => (o.slurp = true), '--null-input': () => (o.nullInput = true),
      '--raw-input': () => (o.rawInput = true), '--monochrome-output': () => undefined, '--color-output': () => undefined, '--unbuffered': () => undefined, '--seq': () => undefined,
    };
    if (arg === '--arg' || arg === '--argjson') {
      const [name, value] = [args[i + 1], args[i + 2]];
      if (name === undefined || value === undefined) return { stdout: '', stderr: `jq: ${arg} takes two parameters (e.g. ${arg} varname ${arg === '--arg' ? 'value' : 'text'})\n${USAGE}`, exitCode: 2 };
      if (arg === '--arg') o.named[name] = value;
      else {
        try {
          o.named[name] = JSON.parse(value) as Json;
        } catch {
          return { stdout: '', stderr: `jq: Invalid JSON text passed to --argjson\n${USAGE}`, exitCode: 2 };
        }
      }
      i += 2;
    } else if (arg === '--indent') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0 || n > 7) return { stdout: '', stderr: `jq: Cannot indent more than 7 characters\n${USAGE}`, exitCode: 2 };
      o.indent = n;
    } else if (arg.startsWith('--')) {
      const set = long[arg];
      if (!set) return unknown(arg);
      set();
    } else {
      for (const letter of arg.slice(1)) {
        const short: Record<string, () => void> = {
          r: () => (o.raw = true), j: () => (o.raw = o.join = true), c: () => (o.compact = true), S: () => (o.sortKeys = true), a: () => (o.ascii = true),
          e: () => (o.exitStatus = true), s: () => (o.slurp = true), n: () => (o.nullInput = true), R: () => (o.rawInput = true), M: () => undefined, C: () => undefined,
        };
        const set = short[letter];
        if (!set) return unknown(arg);
        set();
      }
    }
  }
  [o.filter, ...o.files] = positional;
  return o;
}

/** Compile-time checks jq makes: every function and variable used is defined. */
function check(node: Node, funcs: Set<string>, vars: Set<string>, labels: Set<string>): Node | undefined {
  const rec = (n: Node | undefined, f = funcs, v = vars, l = labels): Node | undefined => (n ? check(n, f, v, l) : undefined);
  const withPatterns = (patterns: Pattern[]): Set<string> => new Set([...vars, ...patterns.flatMap(patternVars)]);
  switch (node.kind) {
    case 'var':
      return node.name === 'ENV' || node.name === 'ARGS' || vars.has(node.name) ? undefined : node;
    case 'call':
      if (!funcs.has(`${node.name}/${node.args.length}`)) return node;
      for (const a of node.args) {
        const bad = rec(a);
        if (bad) return bad;
      }
      return undefined;
    case 'def': {
      const inner = new Set([...funcs, `${node.def.name}/${node.def.params.length}`]);
      const bodyFuncs = new Set([...inner, ...node.def.params.map((p) => `${p.replace(/^\$/, '')}/0`)]);
      const bodyVars = new Set([...vars, ...node.def.params.filter((p) => p.startsWith('$')).map((p) => p.slice(1))]);
      return rec(node.def.body, bodyFuncs, bodyVars) ?? rec(node.body, inner);
    }
    case 'as':
      return rec(node.source) ?? patternKeys(node.patterns, rec) ?? rec(node.body, funcs, withPatterns(node.patterns));
    case 'reduce':
    case 'foreach':
      return rec(node.source) ?? rec(node.init) ?? rec(node.update, funcs, withPatterns([node.pattern])) ?? (node.kind === 'foreach' ? rec(node.extract, funcs, withPatterns([node.pattern])) : undefined);
    case 'label':
      return rec(node.body, funcs, vars, new Set([...labels, node.name]));
    case 'break':
      return labels.has(node.name) ? undefined : node;
    case 'string':
      for (const part of node.parts) {
        const bad = typeof part === 'string' ? undefined : rec(part);
        if (bad) return bad;
      }
      return undefined;
    case 'object':
      for (const e of node.entries) {
        const bad = rec(e.key) ?? rec(e.value);
        if (bad) return bad;
      }
      return undefined;
    case 'if':
      for (const b of node.branches) {
        const bad = rec(b.cond) ?? rec(b.then);
        if (bad) return bad;
      }
      return rec(node.otherwise);
    default: {
      for (const child of Object.values(node)) {
        if (child && typeof child === 'object' && 'kind' in child) {
          const bad = rec(child as Node);
          if (bad) return bad;
        }
      }
      return undefined;
    }
  }
}

function patternKeys(patterns: Pattern[], rec: (n: Node | undefined) => Node | undefined): Node | undefined {
  for (const p of patterns) {
    if (p.kind === 'object') {
      for (const e of p.entries) {
        const bad = rec(e.key) ?? (e.value ? patternKeys([e.value], rec) : undefined);
        if (bad) return bad;
      }
    } else if (p.kind === 'array') {
      const bad = patternKeys(p.items, rec);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** jq's compile error: the message, the program line, spaces up to where it points. */
function compileError(filter: string, message: string, at: number): CommandResult {
  const lineStart = filter.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
  const lineEnd = filter.indexOf('\n', lineStart);
  const line = filter.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const lineNo = lineCount(filter.slice(0, lineStart)) + 1;
  return { stdout: '', stderr: `jq: error: ${message} at <top-level>, line ${lineNo}:\n${line}${' '.repeat(Math.max(0, at - lineStart))}\njq: 1 compile error\n`, exitCode: 3 };
}

/** Parsed filters by their text (checked again each run: the names they may use differ). */
const filters = new KeptPrograms<Node>();

function compileProgram(filter: string, named: Record<string, Json>): Node | CommandResult {
  let program: Node;
  try {
    program = filters.get(filter, () => parseJq(filter));
  } catch (error) {
    if (error instanceof JqSyntaxError) {
      const message = error.message.startsWith('syntax error') || error.message.endsWith('?') ? error.message : `syntax error, ${error.message}`;
      if (error.ifAt !== undefined) {
        const first = compileError(filter, `syntax error, unexpected ${filter.slice(error.at).match(/^\w+/)?.[0] ?? '$end'} (Unix shell quoting issues?)`, error.at);
        const second = compileError(filter, "Possibly unterminated 'if' statement", error.ifAt);
        return { ...first, stderr: `${first.stderr.replace(/jq: 1 compile error\n$/, '')}${second.stderr.replace('jq: 1 compile error', 'jq: 2 compile errors')}` };
      }
      return compileError(filter, message.startsWith('syntax error') ? `${message} (Unix shell quoting issues?)` : message, error.at);
    }
    throw error;
  }
  const bad = check(program, BUILTIN_NAMES, new Set(Object.keys(named)), new Set());
  if (bad) {
    if (bad.kind === 'var') return compileError(filter, `$${bad.name} is not defined`, 0);
    if (bad.kind === 'break') return compileError(filter, `$*label-${bad.name} is not defined`, 0);
    if (bad.kind === 'call') return compileError(filter, `${bad.name}/${bad.args.length} is not defined`, bad.at);
  }
  return program;
}

export const jq: ShellCommand = (ctx, argv) => {
  const parsed = parseArgs(argv.slice(1));
  if (!('files' in parsed)) return parsed;
  const o = parsed;
  // With no program and no terminal, jq 1.6 runs `.`.
  if (o.filter === undefined) o.filter = '.';

  const program = compileProgram(o.filter, o.named);
  if ('exitCode' in program) return program;
  return run(ctx, o, program);
};

/** The JSON values jq reads, each with the line it ended on; or the parse error that ended them. */
interface InputStream {
  stream: { value: Json; line: number }[];
  inputError?: string;
}

function readStream(ctx: CommandContext, o: Options): InputStream | CommandResult {
  // `kubectl get -o json | jq`: the value of the text, not parsed again (what it reads is
  // the same, so is what it prints). One record read, not the text's characters.
  const given = o.files.length === 0 && !o.rawInput ? ctx.stdinJson?.() : undefined;
  if (given) {
    ctx.budget.spend(STEPS_PER_RECORD);
    const value = given.value as Json;
    return { stream: [{ value: o.slurp ? [value] : value, line: given.newlines }] };
  }
  const { inputs: texts, errors } = readInputs(ctx, 'jq', o.files);
  if (errors) return { stdout: '', stderr: errors.replace(/^jq: (.*): No such file or directory$/gm, 'jq: error: Could not open file $1: No such file or directory'), exitCode: 2 };
  const text = texts.map((t) => t.text).join('');
  if (o.rawInput) {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return { stream: o.slurp ? [{ value: text, line: lineCount(text) }] : lines.map((l, i) => ({ value: l, line: i + 1 })) };
  }
  let stream: { value: Json; line: number }[];
  let inputError: string | undefined;
  try {
    stream = parseStream(text);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    inputError = error.message;
    stream = [];
  }
  if (o.slurp) stream = [{ value: stream.map((s) => s.value), line: lineCount(text) }];
  return inputError === undefined ? { stream } : { stream, inputError };
}

/** An error's value as printed; one too large to print (dump stops the run) is cut as jq cuts values in messages. */
function errorText(value: Json): string {
  try {
    return dump(value);
  } catch (error) {
    if (error instanceof BudgetExceeded) return errorDump(value);
    throw error;
  }
}

function run(ctx: CommandContext, o: Options, program: Node): CommandResult {
  const read = readStream(ctx, o);
  if (!('stream' in read)) return read;
  const { stream, inputError } = read;
  const source = o.files.length === 0 ? '<stdin>' : o.files.at(-1)!;
  const env = newObject();
  for (const [k, v] of Object.entries(ctx.env)) env[k] = v;
  let next = 0;
  // A run may use its own allowance or what is left of the line's, whichever is smaller: many
  // runs in one line (a loop) stop at the line's budget, not a whole allowance past it.
  const allowance = Math.min(MAX_STEPS, Math.floor(ctx.budget.remaining / LINE_STEPS_PER_JQ_STEP));
  startBudget(allowance);
  const rt: Runtime = { env, now: Math.floor((ctx.state.epoch + ctx.state.now) / 1000), stderr: [], nextInput: () => stream[next++]?.value };
  const evaluator = new Evaluator(rt, NATIVES);
  let scope: Env = BUILTIN_ENV;
  const named = newObject();
  for (const [k, v] of Object.entries(o.named)) {
    scope = bindValue(scope, k, v);
    named[k] = v;
  }
  const args = newObject();
  Object.assign(args, { positional: [], named });
  scope = bindValue(scope, 'ARGS', args);
  const dumpOpts: DumpOptions = { indent: o.compact ? 0 : o.indent, tab: o.tab && !o.compact, sortKeys: o.sortKeys, ascii: o.ascii };
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  let last: Json | undefined;
  const runOne = (input: Json, where: string): boolean => {
    try {
      evaluator.ev(program, input, null, scope, (x) => {
        last = x;
        stdout += o.raw && typeof x === 'string' ? x : printed(x, dumpOpts);
        if (!o.join) stdout += '\n';
        if (stdout.length > MAX_STAGE_CHARS) throw new BudgetExceeded();
      });
    } catch (error) {
      if (error instanceof JqRuntimeError) {
        if (error.value !== null) {
          stderr += typeof error.value === 'string' ? `jq: error (at ${where}): ${error.value}\n` : `jq: error (at ${where}) (not a string): ${errorText(error.value)}\n`;
          exitCode = 5;
        }
        return true;
      }
      if (error instanceof BudgetExceeded) {
        stderr += stdout.length > MAX_STAGE_CHARS ? '' : 'jq: error: program stopped: it ran too long\n';
        exitCode = 5;
        return false;
      }
      if (error instanceof RangeError) {
        stderr += 'jq: error: program stopped: recursion too deep\n';
        exitCode = 5;
        return false;
      }
      throw error;
    } finally {
      stderr += rt.stderr.splice(0).join('');
    }
    return true;
  };
  if (o.nullInput) runOne(null, '<unknown>');
  else {
    while (next < stream.length) {
      const item = stream[next++]!;
      if (!runOne(item.value, `${source}:${item.line}`)) break;
    }
  }
  if (inputError !== undefined) {
    stderr += `parse error: ${inputError}\n`;
    exitCode = 4;
  }
  if (o.exitStatus && exitCode === 0) exitCode = last === undefined ? 4 : truthy(last) ? 0 : 1;
  const used = Math.max(0, allowance - stepsLeft());
  // Out of steps on the line's share (not jq's own): one more step stops the line there.
  ctx.budget.spend(LINE_STEPS_PER_JQ_STEP * used + (allowance < MAX_STEPS && used >= allowance ? 1 : 0));
  return { stdout, stderr, exitCode };
}
