// `-o go-template=…` / `-o template=…`: Go's text/template over the object's JSON, as kubectl's
// GoTemplatePrinter runs it (missingkey=default, so a missing key prints "<no value>"; numbers
// are JSON float64s printed with %v; kubectl adds `base64decode` and `exists`). The language
// covered: text, trim markers, comments, pipelines with fields, variables, literals and
// parentheses, if/else if/else, range (with $i, $v and else), with, break/continue, and the
// builtins and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge.
// Every action is charged to the line budget.
import type { LineBudget } from '../budget.js';
import type { Json } from './manifest.js';

type Value = Json | undefined; // undefined: Go's invalid value ("<no value>")

type Arg =
  | { k: 'dot'; fields: string[] }
  | { k: 'var'; name: string; fields: string[] }
  | { k: 'lit'; value: Json }
  | { k: 'ident'; name: string }
  | { k: 'paren'; pipe: Pipe; fields: string[] };
interface Pipe { decl: string[]; assign: boolean; cmds: Arg[][]; text: string }
type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; body: Node[]; otherwise: Node[] }
  | { k: 'range'; pipe: Pipe; body: Node[]; otherwise: Node[] }
  | { k: 'break' | 'continue' };

class TemplateError extends Error {}

// ---- lexing and parsing --------------------------------------------------------------------

interface Action { text: string; line: number }

/** Splits the template into text and actions, applying `{{- ` / ` -}}` trimming. */
function split(source: string): (string | Action)[] {
  const parts: (string | Action)[] = [];
  let at = 0;
  // Line numbers counted as the scan goes (not by re-reading the text before each action).
  let line = 1;
  let counted = 0;
  const lineAt = (index: number): number => {
    for (; counted < index; counted++) if (source.charCodeAt(counted) === 10) line++;
    return line;
  };
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    let text = source.slice(at, open);
    let inner = open + 2;
    if (source.startsWith('- ', inner) || source.startsWith('-\t', inner) || source.startsWith('-\n', inner)) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text) parts.push(text);
    const close = source.indexOf('}}', inner);
    if (close < 0) throw new TemplateError(`template: output:${lineAt(open)}: unclosed action`);
    let end = close;
    let trimAfter = false;
    if (/\s-$/.test(source.slice(inner, close))) {
      end = close - 1;
      trimAfter = true;
    }
    parts.push({ text: source.slice(inner, end).trim(), line: lineAt(open) });
    at = close + 2;
    if (trimAfter) while (at < source.length && /\s/.test(source[at]!)) at++;
  }
  return parts;
}


const GO_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** Tokens of one action: strings, raw strings, numbers, punctuation, words. */
function tokens(text: string, line: number): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|:=|[|()=,]|[^\s|()=,"`]+)/gy;
  let at = 0;
  for (let m = re.exec(text); m !== null && m[1] !== undefined; m = re.exec(text)) {
    out.push(m[1]);
    at = re.lastIndex;
  }
  const rest = text.slice(at).trim();
  if (rest !== '') throw new TemplateError(`template: output:${line}: unexpected "${rest[0]}" in command`);
  return out;
}

function fieldChain(word: string): string[] {
  return word.split('.').slice(1);
}

/** How deep parentheses may nest (text/template's parser refuses deep expressions too). */
const MAX_PAREN_DEPTH = 100;

function parseOperand(toks: string[], i: number, line: number, depth = 0): [Arg, number] {
  const t = toks[i]!;
  if (t === '(') {
    if (depth >= MAX_PAREN_DEPTH) throw new TemplateError(`template: output:${line}: max expression depth exceeded`);
    let open = 1;
    let j = i + 1;
    while (j < toks.length && open > 0) {
      if (toks[j] === '(') open++;
      else if (toks[j] === ')') open--;
      j++;
    }
    if (open > 0) throw new TemplateError(`template: output:${line}: unclosed left paren`);
    const pipe = parsePipe(toks.slice(i + 1, j - 1), line, toks.slice(i + 1, j - 1).join(' '), depth + 1);
    const next = toks[j];
    const fields = next !== undefined && next.startsWith('.') ? fieldChain(next) : [];
    return [{ k: 'paren', pipe, fields }, fields.length > 0 ? j + 1 : j];
  }
  if (t.startsWith('"')) return [{ k: 'lit', value: t.slice(1, -1).replace(/\\(.)/g, (_, c: string) => GO_ESCAPES[c] ?? c) }, i + 1];
  if (t.startsWith('`')) return [{ k: 'lit', value: t.slice(1, -1) }, i + 1];
  if (t === '.') return [{ k: 'dot', fields: [] }, i + 1];
  if (t.startsWith('.')) return [{ k: 'dot', fields: fieldChain(t) }, i + 1];
  if (t.startsWith('$')) {
    const [name, ...fields] = t.split('.');
    return [{ k: 'var', name: name!, fields }, i + 1];
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return [{ k: 'lit', value: Number(t) }, i + 1];
  if (t === 'true' || t === 'false') return [{ k: 'lit', value: t === 'true' }, i + 1];
  if (t === 'nil') return [{ k: 'lit', value: null }, i + 1];
  if (/^[A-Za-z_]\w*$/.test(t)) return [{ k: 'ident', name: t }, i + 1];
  throw new TemplateError(`template: output:${line}: unexpected "${t}" in operand`);
}

function parsePipe(toks: string[], line: number, text: string, depth = 0): Pipe {
  const pipe: Pipe = { decl: [], assign: false, cmds: [], text };
  let i = 0;
  // `$x :=`, `$i, $e :=` or `$x =`
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.startsWith('$') || t === ',')) {
    pipe.decl = toks.slice(0, declEnd).filter((t) => t !== ',');
    pipe.assign = toks[declEnd] === '=';
    i = declEnd + 1;
  }
  let cmd: Arg[] = [];
  while (i < toks.length) {
    if (toks[i] === '|') {
      if (cmd.length === 0) throw new TemplateError(`template: output:${line}: missing command`);
      pipe.cmds.push(cmd);
      cmd = [];
      i++;
      continue;
    }
    const [arg, next] = parseOperand(toks, i, line, depth);
    cmd.push(arg);
    i = next;
  }
  if (cmd.length === 0) throw new TemplateError(`template: output:${line}: missing value for command`);
  pipe.cmds.push(cmd);
  return pipe;
}

function parse(source: string): Node[] {
  const parts = split(source);
  let at = 0;
  const list = (ends: string[]): { nodes: Node[]; end: string; endAction?: Action } => {
    const nodes: Node[] = [];
    while (at < parts.length) {
      const p = parts[at++]!;
      if (typeof p === 'string') {
        nodes.push({ k: 'text', text: p });
        continue;
      }
      if (p.text.startsWith('/*')) continue;
      const word = /^\w+/.exec(p.text)?.[0] ?? '';
      if (ends.includes(word)) return { nodes, end: word, endAction: p };
      if (word === 'end' || word === 'else') throw new TemplateError(`template: output:${p.line}: unexpected {{${word}}}`);
      if (word === 'break' || word === 'continue') nodes.push({ k: word });
      else if (word === 'if' || word === 'with' || word === 'range') nodes.push(control(word, p.text.slice(word.length), p.line));
      else if (word === 'define' || word === 'template' || word === 'block') throw new TemplateError(`template: output:${p.line}: {{${word}}} is not supported here`);
      else nodes.push({ k: 'action', pipe: parsePipe(tokens(p.text, p.line), p.line, p.text) });
    }
    if (ends.length > 0) throw new TemplateError('template: output: unexpected EOF');
    return { nodes, end: '' };
  };
  const control = (word: 'if' | 'with' | 'range', rest: string, line: number): Node => {
    const pipe = parsePipe(tokens(rest, line), line, rest.trim());
    const body = list(['else', 'end']);
    let otherwise: Node[] = [];
    if (body.end === 'else') {
      const chained = body.endAction!.text.slice(4).trim();
      // `{{else if …}}` / `{{else with …}}`: a nested control that shares this one's {{end}}.
      const inner = /^(if|with)\b/.exec(chained)?.[1] as 'if' | 'with' | undefined;
      otherwise = inner ? [control(inner, chained.slice(inner.length), line)] : list(['end']).nodes;
    }
    return { k: word, pipe, body: body.nodes, otherwise };
  };
  return list([]).nodes;
}

// ---- evaluation ----------------------------------------------------------------------------

const isMap = (v: Value): v is { [key: string]: Json } => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's %v of a float64 (strconv 'g', shortest): exponent form below 1e-04 and from 1e+06. */
function formatNumber(n: number): string {
  const [mantissa, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (n === 0 || (exp >= -4 && exp < 6)) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * The budget of the template being run. Templates run synchronously, one at a time, so the
 * builtins (which print whole values: eq, print, index…) charge it without passing it around.
 */
let running: LineBudget | undefined;

/** fmt's %v: maps as map[k:v], slices as [a b], nil as <nil>; charged per value printed. */
export function goString(v: Value): string {
  running?.spend(10);
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') {
    running?.spend(v.length);
    return v;
  }
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${goString(v[k])}`).join(' ')}]`;
}

function typeName(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** printf with Go verbs %s %v %d %q %t %f %x and widths. */
function goSprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([%svdqtfxXeg])/g, (_, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    if (i > args.length) return `%!${verb}(MISSING)`;
    let s: string;
    if (verb === 'd') s = typeof arg === 'number' && Number.isInteger(arg) ? String(arg) : `%!d(${typeName(arg)}=${goString(arg)})`;
    else if (verb === 'q') s = JSON.stringify(goString(arg));
    else if (verb === 'f' || verb === 'e' || verb === 'g') s = typeof arg === 'number' ? (verb === 'f' ? arg.toFixed(precision === undefined ? 6 : Math.min(Number(precision), 100)) : formatNumber(arg)) : `%!${verb}(${typeName(arg)}=${goString(arg)})`;
    else if (verb === 'x' || verb === 'X') s = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(goString(arg)).toString('hex');
    else s = goString(arg);
    if (verb === 'X') s = s.toUpperCase();
    if (precision !== undefined && Number(precision) > 1e6) return `%!(BADPREC)${s}`;
    if (precision !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(precision));
    // fmt refuses widths over 1e6 (tooLarge): %!(BADWIDTH), the value printed without one.
    if (Number(width || 0) > 1e6) return `%!(BADWIDTH)${s}`;
    const w = Number(width || 0);
    running?.spend(w);
    return s.length >= w ? s : flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb !== 's' ? '0' : ' ');
  }) + (i < args.length ? `%!(EXTRA ${args.slice(i).map((a) => `${typeName(a)}=${goString(a)}`).join(', ')})` : '');
}

const compare = (a: Value, b: Value): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError('error calling lt: incompatible types for comparison');
};

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  and: (a) => a.find((v) => !truthy(v)) ?? a.at(-1),
  or: (a) => a.find((v) => truthy(v)) ?? a.at(-1),
  not: (a) => !truthy(a[0]),
  len: ([v]) => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new TemplateError(`error calling len: len of type ${typeName(v)}`);
  },
  index: ([v, ...keys]) => {
    let cur = v;
    for (const key of keys) {
      if (Array.isArray(cur) && typeof key === 'number') cur = cur[key];
      else if (isMap(cur) && typeof key === 'string') cur = Object.hasOwn(cur, key) ? cur[key] : undefined;
      else if (cur === undefined || cur === null) throw new TemplateError('error calling index: index of untyped nil');
      else throw new TemplateError(`error calling index: cannot index slice/array with type ${typeName(key)}`);
    }
    return cur;
  },
  print: (a) => a.map((v, i) => (i > 0 && typeof v !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + goString(v)).join(''),
  println: (a) => `${a.map(goString).join(' ')}\n`,
  printf: ([format, ...rest]) => goSprintf(goString(format), rest),
  eq: ([a, ...rest]) => rest.some((b) => goString(a) === goString(b) && typeof a === typeof b),
  ne: ([a, b]) => !(goString(a) === goString(b) && typeof a === typeof b),
  lt: ([a, b]) => compare(a, b) < 0,
  le: ([a, b]) => compare(a, b) <= 0,
  gt: ([a, b]) => compare(a, b) > 0,
  ge: ([a, b]) => compare(a, b) >= 0,
  // kubectl's additions (printers/template.go).
  base64decode: ([v]) => {
    const s = goString(v);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new TemplateError(`error calling base64decode: base64 decode failed: illegal base64 data at input byte ${s.search(/[^A-Za-z0-9+/=]/) < 0 ? s.length : s.search(/[^A-Za-z0-9+/=]/)}`);
    return Buffer.from(s, 'base64').toString('latin1');
  },
  exists: ([v, ...path]) => {
    let cur = v;
    for (const key of path) {
      if (!isMap(cur) || !Object.hasOwn(cur, goString(key))) return false;
      cur = cur[goString(key)];
    }
    return true;
  },
};

interface Scope { vars: Map<string, Value>[]; budget: LineBudget; out: string[]; size: number }
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
/** Output past this is cut off with an error (a runaway range over a big list). */
const MAX_OUTPUT = 4 * 2 ** 20;

function lookupVar(scope: Scope, name: string): Value {
  for (let i = scope.vars.length - 1; i >= 0; i--) if (scope.vars[i]!.has(name)) return scope.vars[i]!.get(name);
  throw new TemplateError(`undefined variable: ${name}`);
}

function field(v: Value, name: string, text: string): Value {
  if (isMap(v)) return Object.hasOwn(v, name) ? v[name] : undefined;
  if (v === undefined || v === null) throw new TemplateError(`executing "output" at <${text}>: nil pointer evaluating interface {}.${name}`);
  throw new TemplateError(`executing "output" at <${text}>: can't evaluate field ${name} in type ${typeName(v)}`);
}

function evalArg(arg: Arg, dot: Value, scope: Scope, text: string): Value {
  let base: Value;
  let fields: string[];
  switch (arg.k) {
    case 'lit': return arg.value;
    case 'ident': throw new TemplateError(`function "${arg.name}" not defined`);
    case 'dot': base = dot; fields = arg.fields; break;
    case 'var': base = lookupVar(scope, arg.name); fields = arg.fields; break;
    case 'paren': base = evalPipe(arg.pipe, dot, scope); fields = arg.fields; break;
  }
  for (const f of fields) base = field(base, f, text);
  return base;
}

function evalPipe(pipe: Pipe, dot: Value, scope: Scope): Value {
  let value: Value;
  let first = true;
  for (const cmd of pipe.cmds) {
    scope.budget.spend(20);
    const head = cmd[0]!;
    if (head.k === 'ident') {
      const fn = FUNCTIONS[head.name];
      if (!fn) throw new TemplateError(`template: output:1: function "${head.name}" not defined`);
      const args = cmd.slice(1).map((a) => evalArg(a, dot, scope, pipe.text));
      if (!first) args.push(value);
      value = fn(args);
    } else {
      if (cmd.length > 1 || !first) throw new TemplateError(`executing "output" at <${pipe.text}>: can't give argument to non-function ${pipe.text}`);
      value = evalArg(head, dot, scope, pipe.text);
    }
    first = false;
  }
  if (pipe.decl.length === 1) {
    const name = pipe.decl[0]!;
    if (pipe.assign) {
      const frame = scope.vars.findLast((f) => f.has(name));
      if (!frame) throw new TemplateError(`undefined variable: ${name}`);
      frame.set(name, value);
    } else scope.vars.at(-1)!.set(name, value);
  }
  return value;
}

function emit(scope: Scope, text: string): void {
  scope.size += text.length;
  scope.budget.spend(text.length);
  if (scope.size > MAX_OUTPUT) throw new TemplateError('output too large');
  scope.out.push(text);
}

function run(nodes: Node[], dot: Value, scope: Scope): typeof BREAK | typeof CONTINUE | undefined {
  for (const node of nodes) {
    scope.budget.spend(5);
    switch (node.k) {
      case 'text': emit(scope, node.text); break;
      case 'action': {
        const v = evalPipe(node.pipe, dot, scope);
        if (node.pipe.decl.length === 0) emit(scope, goString(v));
        break;
      }
      case 'break': return BREAK;
      case 'continue': return CONTINUE;
      case 'if':
      case 'with': {
        scope.vars.push(new Map());
        const v = evalPipe(node.pipe, dot, scope);
        const signal = truthy(v) ? run(node.body, node.k === 'with' ? v : dot, scope) : run(node.otherwise, dot, scope);
        scope.vars.pop();
        if (signal) return signal;
        break;
      }
      case 'range': {
        const frame = new Map<string, Value>();
        scope.vars.push(frame);
        const decl = node.pipe.decl;
        const v = evalPipe({ ...node.pipe, decl: [] }, dot, scope);
        const entries: [Value, Value][] = Array.isArray(v) ? v.map((e, i) => [i, e]) : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]]) : [];
        if (v !== undefined && v !== null && !Array.isArray(v) && !isMap(v)) throw new TemplateError(`range can't iterate over ${goString(v)}`);
        for (const [key, element] of entries) {
          if (decl.length === 1) frame.set(decl[0]!, element);
          else if (decl.length === 2) {
            frame.set(decl[0]!, key);
            frame.set(decl[1]!, element);
          }
          if (run(node.body, element, scope) === BREAK) break;
        }
        if (entries.length === 0) run(node.otherwise, dot, scope);
        scope.vars.pop();
        break;
      }
    }
  }
  return undefined;
}

/** Runs TEMPLATE over DATA; errors as kubectl prints them. */
export function executeGoTemplate(template: string, data: Json, budget: LineBudget): { ok: true; text: string } | { ok: false; error: string } {
  let nodes: Node[];
  budget.spend(10 * template.length);
  try {
    nodes = parse(template);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { ok: false, error: `error parsing template ${template}, ${e.message}` };
  }
  const scope: Scope = { vars: [new Map([['$', data]])], budget, out: [], size: 0 };
  running = budget;
  try {
    run(nodes, data, scope);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { ok: false, error: `error executing template "${template}": template: output:1:${2}: ${e.message}` };
  } finally {
    running = undefined;
  }
  return { ok: true, text: scope.out.join('') };
}
