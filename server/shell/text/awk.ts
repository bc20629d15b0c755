// `awk [-F SEP] [-v var=value] 'program' [file…]`: runs the subset parsed by awk-parse.ts,
// with mawk's error wording (Ubuntu's default awk).
import { STEPS_PER_RECORD, STEPS_PER_STATEMENT, type LineBudget } from '../budget.js';
import type { ShellCommand } from '../types.js';
import type { Expr, Rule, Stmt } from './awk-parse.js';
import { AwkSyntaxError, parseAwk } from './awk-parse.js';
import { parseOptions, readInputs, splitLines } from './common.js';
import { MAX_OUTPUT_CHARS } from '../limits.js';
import { compileRegex, type Matcher } from './regex.js';
import { FormatError, sprintf } from './sprintf.js';

type Value = number | string;

class NextRecord {}
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

export function toStr(v: Value): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return sprintf('%.6g', [v]);
}

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
  private regexCache = new Map<string, Matcher>();

  constructor(vars: Record<string, string>, private readonly budget: LineBudget) {
    this.vars.set('FS', ' ');
    this.vars.set('OFS', ' ');
    this.vars.set('ORS', '\n');
    this.vars.set('NR', 0);
    this.vars.set('NF', 0);
    this.vars.set('FNR', 0);
    this.vars.set('SUBSEP', '\x1c');
    for (const [k, v] of Object.entries(vars)) this.vars.set(k, v);
  }

  setRecord(line: string): void {
    const fs = toStr(this.vars.get('FS') ?? ' ');
    let parts: string[];
    if (line === '') parts = [];
    else if (fs === ' ') parts = line.trim() === '' ? [] : line.trim().split(/[ \t\n]+/);
    else if (fs.length === 1 && fs !== '\\') parts = line.split(fs);
    else parts = this.regex(fs).split(line);
    this.fields = [line, ...parts];
    this.vars.set('NF', parts.length);
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

  private array(name: string): Map<string, Value> {
    let a = this.arrays.get(name);
    if (!a) {
      a = new Map();
      this.arrays.set(name, a);
    }
    return a;
  }

  private get(target: Expr): Value {
    if (target.k === 'var') return this.vars.get(target.name) ?? '';
    if (target.k === 'field') return this.getField(Math.trunc(toNumber(this.eval(target.index))));
    if (target.k === 'elem') return this.array(target.name).get(toStr(this.eval(target.key))) ?? '';
    return this.eval(target);
  }

  private set(target: Expr, value: Value): Value {
    if (target.k === 'var') {
      this.vars.set(target.name, value);
      if (target.name === 'NF') {
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
    }
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
    if (op === ' ') return bounded([toStr(l), toStr(r)], '');
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
      case 'length': return args.length === 0 ? (this.fields[0] ?? '').length : toStr(arg(0)).length;
      case 'substr': {
        const s = toStr(arg(0));
        const start = Math.round(toNumber(arg(1)));
        const len = args.length > 2 ? Math.round(toNumber(arg(2))) : Infinity;
        const from = Math.max(start, 1);
        const to = start + len; // exclusive, 1-based
        return to <= from ? '' : s.slice(from - 1, to === Infinity ? undefined : to - 1);
      }
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
        const parts = s === '' ? [] : sep === ' ' ? s.trim().split(/[ \t\n]+/) : typeof sep === 'string' ? s.split(sep) : sep.split(s);
        this.budget.spend(STEPS_PER_RECORD * parts.length);
        const a = new Map<string, Value>();
        parts.forEach((part, i) => a.set(String(i + 1), part));
        this.arrays.set(target.name, a);
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
        const text = stmt.args.length === 0 ? (this.fields[0] ?? '') : bounded(stmt.args.map((a) => toStr(this.eval(a))), ofs);
        this.write(text + toStr(this.vars.get('ORS') ?? '\n'));
        return;
      }
      case 'printf': {
        if (stmt.args.length === 0) throw new AwkRuntimeError('printf: no format');
        const [format, ...rest] = stmt.args.map((a) => this.eval(a));
        this.write(this.format(toStr(format!), rest));
        return;
      }
      case 'expr':
        this.eval(stmt.e);
        return;
      case 'if':
        if (this.truthy(this.eval(stmt.c))) this.exec(stmt.then);
        else if (stmt.else) this.exec(stmt.else);
        return;
      case 'forin':
        for (const key of [...this.array(stmt.array).keys()]) {
          this.vars.set(stmt.key, key);
          this.exec(stmt.body);
        }
        return;
      case 'block':
        for (const s of stmt.body) this.exec(s);
        return;
      case 'next': throw new NextRecord();
      case 'exit': throw new ExitProgram(stmt.code ? Math.trunc(toNumber(this.eval(stmt.code))) : 0);
    }
  }

  /** Output past MAX_OUTPUT_CHARS is dropped (the shell cuts it there and says so). */
  private write(text: string): void {
    if (this.out.length <= MAX_OUTPUT_CHARS) this.out += text;
  }

  private format(format: string, args: Value[]): string {
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
    if (pattern !== undefined && pattern !== 'BEGIN' && pattern !== 'END' && !this.truthy(this.eval(pattern))) return;
    if (!rule.action) {
      this.write((this.fields[0] ?? '') + toStr(this.vars.get('ORS') ?? '\n'));
      return;
    }
    for (const s of rule.action) this.exec(s);
  }
}

const awkEscape = (s: string): string => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');

export const awk: ShellCommand = (ctx, argv) => {
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

  let rules: Rule[];
  try {
    rules = parseAwk(program);
  } catch (error) {
    if (error instanceof AwkSyntaxError) return { stdout: '', stderr: `awk: line 1: ${error.message}\n`, exitCode: 2 };
    throw error;
  }
  const { inputs, errors } = readInputs(ctx, 'awk', files);
  if (errors) return { stdout: '', stderr: errors.replace(/^awk: (.*): No such file or directory$/gm, 'awk: cannot open $1 (No such file or directory)'), exitCode: 2 };
  const vm = new Interpreter(vars, ctx.budget);
  const begin = rules.filter((r) => r.pattern === 'BEGIN');
  const end = rules.filter((r) => r.pattern === 'END');
  const main = rules.filter((r) => r.pattern !== 'BEGIN' && r.pattern !== 'END');
  let exitCode = 0;
  let nr = 0;
  try {
    try {
      for (const rule of begin) vm.runRule(rule);
      if (main.length > 0 || end.length > 0) {
        for (const input of inputs) {
          vm.vars.set('FILENAME', input.name === '(standard input)' ? '' : input.name);
          for (const line of splitLines(input.text)) {
            nr++;
            vm.vars.set('NR', nr);
            vm.vars.set('FNR', nr);
            vm.setRecord(line);
            try {
              for (const rule of main) vm.runRule(rule);
            } catch (signal) {
              if (!(signal instanceof NextRecord)) throw signal;
            }
          }
        }
      }
    } catch (signal) {
      if (!(signal instanceof ExitProgram)) throw signal;
      exitCode = signal.code;
    }
    for (const rule of end) vm.runRule(rule);
  } catch (error) {
    if (error instanceof ExitProgram) return { stdout: vm.out, stderr: '', exitCode: error.code };
    if (error instanceof AwkRuntimeError) {
      return { stdout: vm.out, stderr: `awk: run time error: ${error.message}\n\tFILENAME="${toStr(vm.vars.get('FILENAME') ?? '')}" FNR=${nr} NR=${nr}\n`, exitCode: 2 };
    }
    if (error instanceof NextRecord) return { stdout: vm.out, stderr: 'awk: line 1: improper use of next\n', exitCode: 2 };
    throw error;
  }
  return { stdout: vm.out, stderr: '', exitCode };
};
