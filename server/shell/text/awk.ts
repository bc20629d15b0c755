// `awk [-F SEP] [-v var=value] 'program' [var=value | file…]`: runs what awk-parse.ts parses,
// with gawk's semantics and messages (loops, ranges, functions, getline, match, asort, files).
import type { ShellApi, ShellProgram } from '../program.js';
import { forkSession } from '../session.js';
import type { CommandContext } from '../types.js';
import type { AwkFunction, AwkProgram, Expr, Rule, Stmt } from './awk-parse.js';
import { AwkSyntaxError, AwkUndefinedFunction, parseAwk } from './awk-parse.js';
import { parseOptions, readInputs, splitLines } from './common.js';
import { STEPS_PER_COMMAND, STEPS_PER_RECORD, STEPS_PER_STATEMENT, type LineBudget } from '../budget.js';
import { MAX_OUTPUT_CHARS, MAX_STAGE_CHARS } from '../limits.js';
import { MAX_WRITTEN_BYTES, readFile, writeFile } from '../vfs.js';
import { compileRegex, type Matcher } from './regex.js';
import { FormatError, sprintf } from './sprintf.js';
import { KeptPrograms } from './kept.js';

type Value = number | string;

class NextRecord {}
class BreakLoop {}
class ContinueLoop {}
class ReturnValue {
  constructor(readonly value: Value) {}
}

/**
 * Nested user function calls one run may make. gawk has no such limit, but each awk call is
 * several JavaScript frames here: an endless recursion must stop with a message, not overflow
 * the server's stack. Far deeper than any real awk one-liner recurses.
 */
export const MAX_CALL_DEPTH = 200;

/** A running function's parameters; `bind` ties an untyped argument to the caller's array once it is used as one. */
interface Frame {
  params: Set<string>;
  scalars: Map<string, Value>;
  arrays: Map<string, Map<string, Value>>;
  bind: Map<string, () => Map<string, Value>>;
}

/** Statements and loop turns one awk run may take (a `while (1)` loop is stopped there). */
class ExitProgram {
  constructor(readonly code: number) {}
}
class AwkRuntimeError {
  constructor(readonly message: string) {}
}

const NUMERIC = /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)\s*$/;

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  const m = /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/.exec(v);
  return m ? Number(m[0]) : 0;
}

/** A number as awk prints it: integers in full (gawk prints 2^63 exactly), others through `format` (OFMT / CONVFMT). */
export function toStr(v: Value, format = '%.6g'): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) {
    return Math.abs(v) < 1e16 ? String(v) : BigInt(v).toString();
  }
  if (!Number.isFinite(v)) return Number.isNaN(v) ? (Object.is(v, NaN) ? 'nan' : '-nan') : v > 0 ? 'inf' : '-inf';
  return sprintf(format, [v]);
}

interface AwkRecord {
  line: string;
  file: string;
}

/**
 * Fields as the default FS (" ") splits them: runs of spaces, tabs and newlines, none kept at
 * either end (gawk's; other white space such as \r or \f stays in a field), added to `parts`.
 */
function blankFields(text: string, parts: string[]): string[] {
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isFieldBlank(text.charCodeAt(i))) i++;
    if (i === n) return parts;
    const start = i;
    while (i < n && !isFieldBlank(text.charCodeAt(i))) i++;
    parts.push(text.slice(start, i));
  }
}

const isFieldBlank = (c: number): boolean => c === 32 || c === 9 || c === 10;

/** Joined strings, refused past MAX_OUTPUT_CHARS (`$0 $0 $0 …` would otherwise grow without bound). */
function bounded(parts: string[], separator: string): string {
  const length = parts.reduce((sum, p) => sum + p.length + separator.length, 0);
  if (length > MAX_OUTPUT_CHARS + separator.length) throw new AwkRuntimeError(`string too long (over ${MAX_OUTPUT_CHARS} characters)`);
  return parts.join(separator);
}

class Interpreter {
  vars = new Map<string, Value>();
  arrays = new Map<string, Map<string, Value>>();
  fields: string[] = [''];
  out = '';
  err = '';
  /** The input records and the next one to read (main loop and `getline` share them). */
  records: AwkRecord[] = [];
  cursor = 0;
  private fnr = 0;
  private file = '';
  private seed = 0;
  private readonly rangeActive = new Set<Rule>();
  private regexCache = new Map<string, Matcher>();
  private readonly frames: Frame[] = [];
  /** `getline < file`: each file's lines and the next one to read, until close(). */
  private readonly readers = new Map<string, { lines: string[]; at: number }>();
  /** `"cmd" | getline`: each command's output lines, the next one to read and its exit status, until close(). */
  private readonly pipes = new Map<string, { lines: string[]; at: number; status: number }>();
  /** `print > file`: what each open file has been sent since it was opened, written at close() or the end. */
  private readonly outputs = new Map<string, string>();
  private buffered = 0;

  constructor(vars: Record<string, string>, private readonly now: number, private readonly budget: LineBudget, private readonly functions: Map<string, AwkFunction>, private readonly ctx: CommandContext, private readonly shell: ShellApi) {
    this.vars.set('FS', ' ');
    this.vars.set('OFS', ' ');
    this.vars.set('ORS', '\n');
    this.vars.set('NR', 0);
    this.vars.set('NF', 0);
    this.vars.set('FNR', 0);
    this.vars.set('SUBSEP', '\x1c');
    this.vars.set('OFMT', '%.6g');
    this.vars.set('CONVFMT', '%.6g');
    this.vars.set('RSTART', 0);
    this.vars.set('RLENGTH', -1);
    for (const [k, v] of Object.entries(vars)) this.vars.set(k, v);
  }

  setRecord(line: string): void {
    const fs = toStr(this.vars.get('FS') ?? ' ');
    const fields = [line];
    if (line !== '') {
      if (fs === ' ') blankFields(line, fields);
      else for (const part of fs === '' ? line : fs.length === 1 && fs !== '\\' ? line.split(fs) : this.regex(fs).split(line)) fields.push(part);
    }
    this.fields = fields;
    this.vars.set('NF', fields.length - 1);
  }

  private rebuildRecord(): void {
    this.fields[0] = this.fields.slice(1).join(toStr(this.vars.get('OFS') ?? ' '));
  }

  private regex(source: string): Matcher {
    let re = this.regexCache.get(source);
    if (!re) {
      const compiled = compileRegex(source, { extended: true }, this.budget);
      if ('error' in compiled) throw new AwkRuntimeError(`regular expression compile failed (${compiled.error})\n${source}`);
      re = compiled;
      this.regexCache.set(source, re);
    }
    return re;
  }

  private matchesRegex(value: Value, re: Expr): boolean {
    const source = re.k === 'regex' ? re.source : toStr(this.eval(re));
    return this.regex(source).test(toStr(value));
  }

  private getField(i: number): string {
    if (i < 0) throw new AwkRuntimeError(`negative field index $${i}`);
    return this.fields[i] ?? '';
  }

  /** The running function's frame when `name` is one of its parameters (else the name is global). */
  private local(name: string): Frame | undefined {
    const frame = this.frames.at(-1);
    return frame?.params.has(name) ? frame : undefined;
  }

  private scalars(name: string): Map<string, Value> {
    return this.local(name)?.scalars ?? this.vars;
  }

  private isArray(name: string): boolean {
    return (this.local(name)?.arrays ?? this.arrays).has(name);
  }

  private array(name: string): Map<string, Value> {
    const frame = this.local(name);
    const arrays = frame?.arrays ?? this.arrays;
    let a = arrays.get(name);
    if (!a) {
      a = frame?.bind.get(name)?.() ?? new Map();
      arrays.set(name, a);
    }
    return a;
  }

  /** Refills an array in place, so an array passed to a function by reference sees it. */
  private fillArray(name: string, values: Value[]): void {
    const a = this.array(name);
    a.clear();
    values.forEach((v, i) => a.set(String(i + 1), v));
  }

  private get(target: Expr): Value {
    if (target.k === 'var') return this.scalars(target.name).get(target.name) ?? '';
    if (target.k === 'field') return this.getField(Math.trunc(toNumber(this.eval(target.index))));
    if (target.k === 'elem') {
      // Referring to an element creates it, as in every awk.
      const a = this.array(target.name);
      const key = this.str(this.eval(target.key));
      if (!a.has(key)) a.set(key, '');
      return a.get(key)!;
    }
    return this.eval(target);
  }

  private set(target: Expr, value: Value): Value {
    if (target.k === 'var') {
      const scope = this.scalars(target.name);
      scope.set(target.name, value);
      if (target.name === 'NF' && scope === this.vars) {
        this.fields.length = Math.max(1, toNumber(value) + 1);
        this.rebuildRecord();
      }
    } else if (target.k === 'field') {
      const i = Math.trunc(toNumber(this.eval(target.index)));
      if (i === 0) this.setRecord(toStr(value));
      else {
        while (this.fields.length <= i) this.fields.push('');
        this.fields[i] = toStr(value);
        this.vars.set('NF', this.fields.length - 1);
        this.rebuildRecord();
      }
    } else if (target.k === 'elem') this.array(target.name).set(toStr(this.eval(target.key)), value);
    return value;
  }

  /** awk compares as numbers when both sides are numbers or numeric strings from input. */
  private compare(l: Value, r: Value): number {
    const ln = typeof l === 'number' || NUMERIC.test(l);
    const rn = typeof r === 'number' || NUMERIC.test(r);
    if (ln && rn) return toNumber(l) - toNumber(r);
    const ls = toStr(l);
    const rs = toStr(r);
    return ls < rs ? -1 : ls > rs ? 1 : 0;
  }

  eval(e: Expr): Value {
    switch (e.k) {
      case 'num': return e.v;
      case 'str': return e.v;
      case 'regex': return this.regex(e.source).test(this.fields[0] ?? '') ? 1 : 0;
      case 'group': return this.eval(e.e);
      case 'var':
      case 'field':
      case 'elem': return this.get(e);
      case 'in': return this.array(e.name).has(toStr(this.eval(e.key))) ? 1 : 0;
      case 'unary': {
        const v = this.eval(e.e);
        if (e.op === '!') return this.truthy(v) ? 0 : 1;
        return e.op === '-' ? -toNumber(v) : toNumber(v);
      }
      case 'match': return this.matchesRegex(this.eval(e.l), e.r) !== e.negate ? 1 : 0;
      case 'cond': return this.truthy(this.eval(e.c)) ? this.eval(e.t) : this.eval(e.f);
      case 'assign': {
        const value = this.eval(e.e);
        if (e.op === '=') return this.set(e.target, value);
        return this.set(e.target, this.arith(e.op[0]!, toNumber(this.get(e.target)), toNumber(value)));
      }
      case 'incr': {
        const old = toNumber(this.get(e.target));
        const next = e.op === '++' ? old + 1 : old - 1;
        this.set(e.target, next);
        return e.prefix ? next : old;
      }
      case 'binary': return this.binary(e.op, e.l, e.r);
      case 'call': return this.call(e.name, e.args);
      case 'ucall': return this.callFunction(e.name, e.args);
      case 'getline': {
        const line = e.command ? this.readCommand(this.str(this.eval(e.command))) : e.file ? this.readLine(this.str(this.eval(e.file))) : this.nextRecord()?.line;
        if (line === undefined || line === -1) return line ?? 0;
        if (e.target) this.set(e.target, line);
        else this.setRecord(line);
        return 1;
      }
    }
  }

  /** A value as a string where awk converts with CONVFMT. */
  str(v: Value): string {
    return toStr(v, toStr(this.vars.get('CONVFMT') ?? '%.6g'));
  }

  /** The next input record for the main loop or `getline`; undefined at the end. */
  nextRecord(): AwkRecord | undefined {
    const record = this.records[this.cursor++];
    if (!record) return undefined;
    if (record.file !== this.file) {
      this.file = record.file;
      this.fnr = 0;
      this.vars.set('FILENAME', record.file);
    }
    this.fnr++;
    this.vars.set('NR', toNumber(this.vars.get('NR') ?? 0) + 1);
    this.vars.set('FNR', this.fnr);
    return record;
  }

  /** A user function's call: scalars by value, arrays (and untyped names used as arrays) by reference. */
  private callFunction(name: string, args: Expr[]): Value {
    const fn = this.functions.get(name)!;
    if (this.frames.length >= MAX_CALL_DEPTH) throw new AwkRuntimeError(`function \`${name}' called more than ${MAX_CALL_DEPTH} levels deep (endless recursion?)`);
    this.budget.spend(STEPS_PER_STATEMENT);
    const frame: Frame = { params: new Set(fn.params), scalars: new Map(), arrays: new Map(), bind: new Map() };
    args.forEach((arg, i) => {
      const param = fn.params[i];
      if (arg.k === 'var' && !this.scalars(arg.name).has(arg.name)) {
        const caller = arg.name;
        if (param === undefined) return;
        if (this.isArray(caller)) frame.arrays.set(param, this.array(caller));
        else frame.bind.set(param, () => this.array(caller));
        return;
      }
      const value = this.eval(arg);
      if (param !== undefined) frame.scalars.set(param, value);
    });
    this.frames.push(frame);
    try {
      for (const s of fn.body) this.exec(s);
    } catch (signal) {
      if (signal instanceof ReturnValue) return signal.value;
      throw signal;
    } finally {
      this.frames.pop();
    }
    return '';
  }

  /** The next line of `getline < file`: undefined at its end, -1 when it cannot be read (as gawk returns). */
  private readLine(name: string): string | undefined | -1 {
    let reader = this.readers.get(name);
    if (!reader) {
      // Opening costs what a shell redirection does: an open/close loop must not be free.
      this.budget.spend(STEPS_PER_COMMAND);
      const file = readFile(this.ctx, 'awk', name);
      if (!file.ok) return -1;
      this.budget.spendText(file.content);
      reader = { lines: splitLines(file.content), at: 0 };
      this.readers.set(name, reader);
    }
    this.budget.spend(STEPS_PER_RECORD);
    return reader.lines[reader.at++];
  }

  /**
   * The next line `command` printed (`"cmd" | getline`): gawk runs it with `sh -c` when first
   * read, here through the shell in a subshell of the session, within the line's budget; its
   * stderr goes to awk's. The same text reads on from the same run until close(command).
   */
  private readCommand(command: string): string | undefined {
    let pipe = this.pipes.get(command);
    if (!pipe) {
      this.budget.spend(STEPS_PER_COMMAND);
      const ran = this.shell.runLine(forkSession(this.ctx.session), command, this.ctx.facts);
      this.err += ran.stderr;
      pipe = { lines: splitLines(ran.stdout), at: 0, status: ran.exitCode };
      this.pipes.set(command, pipe);
    }
    this.budget.spend(STEPS_PER_RECORD);
    return pipe.lines[pipe.at++];
  }

  /**
   * close(name): ends reading a command (its exit status) or a file, or writes what was printed
   * to a file; -1 when it was not open.
   */
  close(name: string): number {
    const pipe = this.pipes.get(name);
    if (pipe) {
      this.pipes.delete(name);
      return pipe.status;
    }
    const reading = this.readers.delete(name);
    const text = this.outputs.get(name);
    if (text === undefined) return reading ? 0 : -1;
    this.outputs.delete(name);
    this.buffered -= text.length;
    const error = writeFile(this.ctx.state, this.ctx.session, name, text, true);
    if (error) throw new AwkRuntimeError(`print to "${name}" failed (${error})`);
    return 0;
  }

  /** Writes every file still open (at the end of the run, as gawk does on exit). */
  closeAll(): void {
    for (const name of [...this.outputs.keys()]) this.close(name);
  }

  step(): void {
    this.budget.spend(STEPS_PER_STATEMENT);
  }

  private truthy(v: Value): boolean {
    if (typeof v === 'number') return v !== 0;
    return NUMERIC.test(v) ? toNumber(v) !== 0 : v !== '';
  }

  private arith(op: string, l: number, r: number): number {
    switch (op) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '^': return l ** r;
      case '/':
      case '%':
        if (r === 0) throw new AwkRuntimeError(op === '/' ? 'division by zero' : 'division by zero in %');
        return op === '/' ? l / r : l % r;
    }
    return 0;
  }

  private binary(op: string, le: Expr, re: Expr): Value {
    if (op === '&&') return this.truthy(this.eval(le)) && this.truthy(this.eval(re)) ? 1 : 0;
    if (op === '||') return this.truthy(this.eval(le)) || this.truthy(this.eval(re)) ? 1 : 0;
    const l = this.eval(le);
    const r = this.eval(re);
    if (op === ' ') return bounded([this.str(l), this.str(r)], '');
    const cmp = ['<', '<=', '==', '!=', '>=', '>'];
    if (cmp.includes(op)) {
      const c = this.compare(l, r);
      const result = op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '>=' ? c >= 0 : c > 0;
      return result ? 1 : 0;
    }
    return this.arith(op, toNumber(l), toNumber(r));
  }

  private call(name: string, args: Expr[]): Value {
    const arg = (i: number): Value => (args[i] ? this.eval(args[i]!) : '');
    switch (name) {
      case 'length': {
        const a = args[0];
        if (a?.k === 'var' && this.isArray(a.name)) return this.array(a.name).size;
        return [args.length === 0 ? (this.fields[0] ?? '') : this.str(arg(0))].map((t) => [...t].length)[0]!;
      }
      case 'substr': {
        // gawk: both numbers truncated; a start before 1 begins at 1 with the length unchanged.
        const chars = [...this.str(arg(0))];
        const from = Math.max(Math.trunc(toNumber(arg(1))), 1);
        const len = args.length > 2 ? Math.trunc(toNumber(arg(2))) : Infinity;
        return len <= 0 ? '' : chars.slice(from - 1, len === Infinity ? undefined : from - 1 + len).join('');
      }
      case 'match': {
        const re = args[1];
        if (!re) throw new AwkRuntimeError('match: missing arguments');
        const source = re.k === 'regex' ? re.source : this.str(this.eval(re));
        const text = this.str(arg(0));
        const found = this.regex(source).matchAll(text)[0];
        this.vars.set('RSTART', found ? [...text.slice(0, found.index)].length + 1 : 0);
        this.vars.set('RLENGTH', found ? [...found.text].length : -1);
        const target = args[2];
        if (target?.k === 'var') {
          const a = this.array(target.name);
          a.clear();
          if (found) {
            a.set('0', found.text);
            found.groups.forEach((g, i) => {
              if (g !== undefined) a.set(String(i + 1), g);
            });
          }
        }
        return this.vars.get('RSTART')!;
      }
      case 'asort':
      case 'asorti': {
        const source = args[0];
        if (source?.k !== 'var') throw new AwkRuntimeError(`${name}: first argument not an array`);
        const a = this.array(source.name);
        const items: Value[] = name === 'asort' ? [...a.values()] : [...a.keys()];
        const numeric = (v: Value): boolean => typeof v === 'number' || NUMERIC.test(v);
        items.sort((x, y) => {
          const nx = numeric(x);
          const ny = numeric(y);
          if (nx && ny) return toNumber(x) - toNumber(y);
          if (nx !== ny) return nx ? -1 : 1;
          const sx = this.str(x);
          const sy = this.str(y);
          return sx < sy ? -1 : sx > sy ? 1 : 0;
        });
        this.fillArray(args[1]?.k === 'var' ? args[1].name : source.name, items);
        return items.length;
      }
      case 'systime': return this.now;
      case 'exp': return Math.exp(toNumber(arg(0)));
      case 'log': return Math.log(toNumber(arg(0)));
      case 'sin': return Math.sin(toNumber(arg(0)));
      case 'cos': return Math.cos(toNumber(arg(0)));
      case 'atan2': return Math.atan2(toNumber(arg(0)), toNumber(arg(1)));
      case 'rand': {
        // A fixed-seed generator: the same numbers on every run, as awk without srand().
        this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
        return this.seed / 2147483648;
      }
      case 'srand': {
        const previous = this.seed;
        this.seed = args.length > 0 ? Math.trunc(toNumber(arg(0))) : this.now;
        return previous;
      }
      case 'close': return this.close(this.str(arg(0)));
      case 'fflush': return 0;
      case 'strftime': return '';
      case 'index': return toStr(arg(0)).indexOf(toStr(arg(1))) + 1;
      case 'tolower': return toStr(arg(0)).toLowerCase();
      case 'toupper': return toStr(arg(0)).toUpperCase();
      case 'int': return Math.trunc(toNumber(arg(0)));
      case 'sqrt': return Math.sqrt(toNumber(arg(0)));
      case 'sprintf': return this.format(toStr(arg(0)), args.slice(1).map((a) => this.eval(a)));
      case 'split': {
        const target = args[1];
        if (target?.k !== 'var') throw new AwkRuntimeError('split: second argument must be an array name');
        const s = toStr(arg(0));
        const sep = args[2] ? (args[2].k === 'regex' ? this.regex(args[2].source) : toStr(arg(2))) : toStr(this.vars.get('FS') ?? ' ');
        const parts = s === '' ? [] : sep === ' ' ? blankFields(s, []) : typeof sep === 'string' ? s.split(sep) : sep.split(s);
        this.budget.spend(STEPS_PER_RECORD * parts.length);
        this.fillArray(target.name, parts);
        return parts.length;
      }
      case 'sub':
      case 'gsub': {
        const re = args[0];
        if (!re) throw new AwkRuntimeError(`${name}: missing arguments`);
        const source = re.k === 'regex' ? re.source : toStr(this.eval(re));
        const target: Expr = args[2] ?? { k: 'field', index: { k: 'num', v: 0 } };
        const replacement = toStr(arg(1));
        const next = this.regex(source).replace(toStr(this.get(target)), name === 'gsub', (m) => replacement.replace(/\\&|&/g, (x) => (x === '&' ? m.text : '&')));
        if (next.count > 0) this.set(target, next.text);
        return next.count;
      }
    }
    return '';
  }

  exec(stmt: Stmt): void {
    this.budget.spend(STEPS_PER_STATEMENT);
    switch (stmt.k) {
      case 'print': {
        const ofs = toStr(this.vars.get('OFS') ?? ' ');
        const ofmt = toStr(this.vars.get('OFMT') ?? '%.6g');
        const text = stmt.args.length === 0 ? (this.fields[0] ?? '') : bounded(stmt.args.map((a) => toStr(this.eval(a), ofmt)), ofs);
        this.write(text + toStr(this.vars.get('ORS') ?? '\n'), stmt.to, stmt.append);
        return;
      }
      case 'printf': {
        if (stmt.args.length === 0) throw new AwkRuntimeError('printf: no format');
        const [format, ...rest] = stmt.args.map((a) => this.eval(a));
        this.write(this.format(this.str(format!), rest), stmt.to, stmt.append);
        return;
      }
      case 'while':
        while (this.truthy(this.eval(stmt.c))) {
          this.step();
          if (this.loopBody(stmt.body)) break;
        }
        return;
      case 'do':
        do {
          this.step();
          if (this.loopBody(stmt.body)) break;
        } while (this.truthy(this.eval(stmt.c)));
        return;
      case 'for':
        if (stmt.init) this.eval(stmt.init);
        while (!stmt.c || this.truthy(this.eval(stmt.c))) {
          this.step();
          if (this.loopBody(stmt.body)) break;
          if (stmt.step) this.eval(stmt.step);
        }
        return;
      case 'break': throw new BreakLoop();
      case 'continue': throw new ContinueLoop();
      case 'delete':
        if (stmt.key) this.array(stmt.name).delete(this.str(this.eval(stmt.key)));
        else this.array(stmt.name).clear();
        return;
      case 'expr':
        this.eval(stmt.e);
        return;
      case 'if':
        if (this.truthy(this.eval(stmt.c))) this.exec(stmt.then);
        else if (stmt.else) this.exec(stmt.else);
        return;
      case 'forin':
        for (const key of [...this.array(stmt.array).keys()]) {
          this.step();
          this.scalars(stmt.key).set(stmt.key, key);
          if (this.loopBody(stmt.body)) break;
        }
        return;
      case 'block':
        for (const s of stmt.body) {
          this.step();
          this.exec(s);
        }
        return;
      case 'next': throw new NextRecord();
      case 'return': throw new ReturnValue(stmt.e ? this.eval(stmt.e) : '');
      case 'exit': throw new ExitProgram(stmt.code ? Math.trunc(toNumber(this.eval(stmt.code))) : 0);
    }
  }

  /** Runs a loop body; true when it ran `break`. */
  private loopBody(body: Stmt): boolean {
    try {
      this.exec(body);
    } catch (signal) {
      if (signal instanceof BreakLoop) return true;
      if (!(signal instanceof ContinueLoop)) throw signal;
    }
    return false;
  }

  /**
   * Output past MAX_STAGE_CHARS is dropped (the shell cuts it there and says so). A file is
   * created (or truncated, for `>`) when first opened, and what it is sent is kept, bounded as
   * the shell's files are, until close() or the end of the run.
   */
  private write(text: string, to?: Expr, append = false): void {
    const target = to ? this.str(this.eval(to)) : '/dev/stdout';
    if (target === '/dev/stderr' || target === '/dev/fd/2') {
      if (this.err.length <= MAX_STAGE_CHARS) this.err += text;
    } else if (target === '/dev/stdout' || target === '/dev/fd/1' || target === '-') {
      if (this.out.length <= MAX_STAGE_CHARS) this.out += text;
    } else if (target !== '/dev/null') {
      let sent = this.outputs.get(target);
      if (sent === undefined) {
        // Opening (and writing at close) costs what a shell redirection does.
        this.budget.spend(STEPS_PER_COMMAND);
        const error = writeFile(this.ctx.state, this.ctx.session, target, '', append);
        if (error) throw new AwkRuntimeError(`cannot redirect to \`${target}': ${error}`);
        sent = '';
      }
      this.budget.spend(text.length);
      if (sent.length + text.length > MAX_OUTPUT_CHARS) throw new AwkRuntimeError(`print to "${target}" failed (File too large)`);
      if (this.buffered + text.length > MAX_WRITTEN_BYTES) throw new AwkRuntimeError(`print to "${target}" failed (No space left on device)`);
      this.buffered += text.length;
      this.outputs.set(target, sent + text);
    }
  }

  private format(format: string, args: Value[]): string {
    const short = missingArgument(format, args.length);
    if (short !== undefined) throw new AwkRuntimeError(`not enough arguments to satisfy format string\n\t\`${format}'\n\t${' '.repeat(short + 1)}^ ran out for this one`);
    try {
      return sprintf(format, args);
    } catch (error) {
      if (error instanceof FormatError) throw new AwkRuntimeError(`printf: ${error.message}`);
      throw error;
    }
  }

  runRule(rule: Rule): void {
    this.budget.spend(STEPS_PER_STATEMENT);
    const pattern = rule.pattern;
    if (rule.end && pattern !== undefined && pattern !== 'BEGIN' && pattern !== 'END') {
      // `start, end`: from a record matching start through the next one matching end.
      if (!this.rangeActive.has(rule)) {
        if (!this.truthy(this.eval(pattern))) return;
        this.rangeActive.add(rule);
      }
      if (this.truthy(this.eval(rule.end))) this.rangeActive.delete(rule);
    } else if (pattern !== undefined && pattern !== 'BEGIN' && pattern !== 'END' && !this.truthy(this.eval(pattern))) return;
    if (!rule.action) {
      this.write((this.fields[0] ?? '') + toStr(this.vars.get('ORS') ?? '\n'));
      return;
    }
    for (const s of rule.action) this.exec(s);
  }
}

/** Index of the first conversion in a format that has no argument left, if any. */
function missingArgument(format: string, count: number): number | undefined {
  let used = 0;
  const spec = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])/g;
  for (let m = spec.exec(format); m; m = spec.exec(format)) {
    if (m[4] === '%') continue;
    used += (m[2] === '*' ? 1 : 0) + (m[3] === '*' ? 1 : 0) + 1;
    if (used > count) return m.index;
  }
  return undefined;
}

/** Parsed awk programs by their text. */
const programs = new KeptPrograms<AwkProgram>();

const awkEscape = (s: string): string => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');

export const awk: ShellProgram = (ctx, argv, shell) => {
  const parsed = parseOptions('awk', argv.slice(1), {
    valued: 'Fvf',
    long: { 'field-separator': { key: 'F', value: true }, assign: { key: 'v', value: true } },
    usage: 'usage: awk [-F value] [-v var=value] [--] \'program text\' [file ...]\n',
    usageExit: 2,
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  if (o.has('f')) return { stdout: '', stderr: `awk: couldn't open file ${o.last('f')}\n`, exitCode: 2 };
  const [program, ...files] = o.operands;
  if (program === undefined) return { stdout: '', stderr: "usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]\n", exitCode: 2 };
  const vars: Record<string, string> = {};
  for (const assignment of o.all('v')) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) return { stdout: '', stderr: `awk: improper assignment: -v ${assignment}\n`, exitCode: 2 };
    vars[assignment.slice(0, eq)] = awkEscape(assignment.slice(eq + 1));
  }
  const fs = o.last('F');
  if (fs !== undefined) vars.FS = fs === 't' ? '\t' : awkEscape(fs);

  let compiled: AwkProgram;
  try {
    compiled = programs.get(program, () => parseAwk(program));
  } catch (error) {
    if (error instanceof AwkUndefinedFunction) return { stdout: '', stderr: `awk: cmd. line:1: fatal: function \`${error.name}' not defined\n`, exitCode: 2 };
    if (error instanceof AwkSyntaxError) {
      // gawk's form: the program line it stopped on, then a caret under where.
      const before = program.slice(0, error.at ?? 0).split('\n');
      // A newline it stopped at is counted already: gawk names the next line, showing this one.
      const where = `awk: cmd. line:${program.slice(0, (error.at ?? 0) + 1).split('\n').length}:`;
      if (error.bare) return { stdout: '', stderr: `${where} error: ${error.message}\n`, exitCode: 1 };
      const line = program.split('\n')[before.length - 1] ?? '';
      const col = before.at(-1)!.length;
      const caret = error.at !== undefined ? `${' '.repeat(Math.min(col, line.length) + 1)}^ ` : ' ';
      return { stdout: '', stderr: `${where} ${line}\n${where}${caret}${error.message}\n`, exitCode: 1 };
    }
    throw error;
  }
  // Operands are files, or `var=value` assignments made when the reading gets there.
  const steps: ({ file: string } | { name: string; value: string })[] = files.map((f) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(f);
    return m ? { name: m[1]!, value: awkEscape(m[2]!) } : { file: f };
  });
  if (!steps.some((step) => 'file' in step)) steps.push({ file: '-' });
  const names = steps.flatMap((step) => ('file' in step ? [step.file] : []));
  const { inputs, errors } = readInputs(ctx, 'awk', names.filter((n) => n !== '-'));
  if (errors) return { stdout: '', stderr: errors.replace(/^awk: (.*): No such file or directory$/gm, "awk: fatal: cannot open file `$1' for reading: No such file or directory"), exitCode: 2 };
  const { rules, functions, warnings } = compiled;
  const vm = new Interpreter(vars, Math.floor((ctx.state.epoch + ctx.state.now) / 1000), ctx.budget, functions, ctx, shell);
  vm.err = warnings.map((w) => `awk: cmd. line:1: warning: ${w}\n`).join('');
  const texts = new Map(inputs.map((i) => [i.name, i.text]));
  const assignments: { at: number; name: string; value: string }[] = [];
  for (const step of steps) {
    if ('file' in step) {
      const text = step.file === '-' ? ctx.stdin : texts.get(step.file) ?? '';
      for (const line of splitLines(text)) vm.records.push({ line, file: step.file === '-' ? '' : step.file });
    } else assignments.push({ at: vm.records.length, name: step.name, value: step.value });
  }
  const begin = rules.filter((r) => r.pattern === 'BEGIN');
  const end = rules.filter((r) => r.pattern === 'END');
  const main = rules.filter((r) => r.pattern !== 'BEGIN' && r.pattern !== 'END');
  let exitCode = 0;
  const applyAssignments = (): void => {
    while (assignments.length > 0 && assignments[0]!.at <= vm.cursor) {
      const { name, value } = assignments.shift()!;
      vm.vars.set(name, value);
    }
  };
  try {
    try {
      for (const rule of begin) vm.runRule(rule);
      if (main.length > 0 || end.length > 0) {
        for (;;) {
          applyAssignments();
          const record = vm.nextRecord();
          if (!record) break;
          vm.step();
          vm.setRecord(record.line);
          try {
            for (const rule of main) vm.runRule(rule);
          } catch (signal) {
            if (!(signal instanceof NextRecord)) throw signal;
          }
        }
      }
      applyAssignments();
    } catch (signal) {
      if (!(signal instanceof ExitProgram)) throw signal;
      exitCode = signal.code;
    }
    for (const rule of end) vm.runRule(rule);
    vm.closeAll();
  } catch (error) {
    return stopped(vm, error);
  }
  return { stdout: vm.out, stderr: vm.err, exitCode };
};

/** The result of a run a signal or error ended; files still open are written, as gawk does on exit. */
function stopped(vm: Interpreter, error: unknown): { stdout: string; stderr: string; exitCode: number } {
  if (error instanceof AwkRuntimeError) {
    const nr = toStr(vm.vars.get('NR') ?? 0);
    const where = nr === '0' ? '' : `(FILENAME=${toStr(vm.vars.get('FILENAME') ?? '') || '-'} FNR=${toStr(vm.vars.get('FNR') ?? 0)}) `;
    const fatal = `${vm.err}awk: cmd. line:1: ${where}fatal: ${error.message}\n`;
    try {
      vm.closeAll();
    } catch {
      // The first fatal error is the one gawk reports.
    }
    return { stdout: vm.out, stderr: fatal, exitCode: 2 };
  }
  // Anything else (the line's budget running out) stops the run where it is.
  if (!(error instanceof ExitProgram || error instanceof NextRecord || error instanceof BreakLoop || error instanceof ContinueLoop)) throw error;
  try {
    vm.closeAll();
  } catch (closing) {
    return stopped(vm, closing);
  }
  if (error instanceof ExitProgram) return { stdout: vm.out, stderr: vm.err, exitCode: error.code };
  if (error instanceof NextRecord) return { stdout: vm.out, stderr: `${vm.err}awk: cmd. line:1: fatal: \`next' used in BEGIN or END action\n`, exitCode: 2 };
  return { stdout: vm.out, stderr: vm.err, exitCode: 0 };
}
