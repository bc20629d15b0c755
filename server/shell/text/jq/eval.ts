// Runs a parsed jq program. Generators are callbacks: each node calls `out` once per value it
// produces (with the value's path when the caller asked for paths, as `path(f)`, `|=` and
// `del` do). `limit`, `first` and `label`/`break` stop a generator by throwing a signal that
// only their own frame catches; `try` catches only the errors of its body, not of what
// consumes its output. Every step counts against a budget so no program runs unbounded.
import { spend } from './meter.js';
import type { FuncDef, Json, Node, Pattern } from './parse.js';
import { JqRuntimeError, compare, describe, dump, equal, errorDump, fail, getKey, hasKey, isObject, newObject, truthy, typeName, type JsonObject } from './value.js';

export type PathPart = string | number | JsonObject;
export type Path = PathPart[];
export type Emit = (v: Json, path: Path | null) => void;

/** A filter argument: the expression and the scope it was written in. */
export interface Closure {
  node: Node;
  env: Env;
}

/** A scope: one binding per link (variable, function, label), newest first. */
export interface Env {
  parent: Env | undefined;
  name: string;
  value?: Json;
  def?: { def: FuncDef; env: Env };
  closure?: Closure;
  label?: object;
}

export { BudgetExceeded, spend, startBudget, stepsLeft } from './meter.js';

/**
 * What an error caught by `try`, `?`, `//` or `?//` costs: a thrown and caught exception is
 * some microseconds, a hundred times a step (`try error("x") catch 0` in a loop held the
 * event loop 0.4 s on one run's allowance).
 */
const STEPS_PER_CAUGHT_ERROR = 100;

/** What the whole run shares: inputs for `input`, `$ENV`, the clock, debug messages. */
export interface Runtime {
  nextInput(): Json | undefined;
  env: JsonObject;
  now: number;
  stderr: string[];
}

export type Native = (e: Evaluator, v: Json, path: Path | null, args: Closure[], out: Emit) => void;

class BreakSignal {
  constructor(readonly label: object) {}
}

/** An error raised downstream of a `try` or `//`, passing through it untouched. */
class Downstream {
  constructor(readonly marker: object, readonly error: unknown) {}
}

export function lookup(env: Env | undefined, name: string): Env | undefined {
  for (let e = env; e; e = e.parent) if (e.name === name) return e;
  return undefined;
}

export const bindValue = (env: Env | undefined, name: string, value: Json): Env => ({ parent: env, name: `$${name}`, value });

export function bindDef(env: Env | undefined, def: FuncDef): Env {
  const binding: Env = { parent: env, name: `${def.name}/${def.params.length}` };
  binding.def = { def, env: binding };
  return binding;
}

export const invalidPath = (v: Json): never => fail(`Invalid path expression with result ${errorDump(v)}`);

/** `.[k]` on a value, with jq's errors. */
export function index(t: Json, k: Json): Json {
  if (t === null) {
    if (k === null || typeof k === 'string' || typeof k === 'number' || isObject(k)) return null;
  } else if (isObject(t)) {
    if (typeof k === 'string') return getKey(t, k);
  } else if (Array.isArray(t)) {
    if (typeof k === 'number') {
      if (Number.isNaN(k)) return null;
      const i = Math.floor(k);
      return t[i < 0 ? t.length + i : i] ?? null;
    }
    if (isObject(k)) return slice(t, getKey(k, 'start'), getKey(k, 'end'));
    if (Array.isArray(k)) return indicesOf(t, k);
  } else if (typeof t === 'string' && isObject(k)) return slice(t, getKey(k, 'start'), getKey(k, 'end'));
  if (typeof k === 'string') return fail(`Cannot index ${typeName(t)} with string ${dump(k)}`);
  return fail(`Cannot index ${typeName(t)} with ${typeName(k)}`);
}

export function indicesOf(t: Json[], sub: Json[]): Json {
  if (sub.length === 0) return null;
  const found: number[] = [];
  for (let i = 0; i + sub.length <= t.length; i++) if (sub.every((x, j) => equal(t[i + j]!, x))) found.push(i);
  return found;
}

function sliceBound(b: Json, length: number, fallback: number): number {
  if (b === null) return fallback;
  if (typeof b !== 'number') return fail('Start and end indices of an array slice must be numbers');
  const i = b < 0 ? length + b : b;
  return Math.min(length, Math.max(0, Math.floor(i)));
}

export function slice(t: Json, from: Json, to: Json): Json {
  if (t === null) return null;
  if (typeof t === 'string') {
    const chars = [...t];
    return chars.slice(sliceBound(from, chars.length, 0), sliceBound(to, chars.length, chars.length)).join('');
  }
  if (Array.isArray(t)) return t.slice(sliceBound(from, t.length, 0), sliceBound(to, t.length, t.length));
  return fail(`Cannot index ${typeName(t)} with object`);
}

function iterate(v: Json, path: Path | null, out: Emit): void {
  spend(1);
  // Each value's path is a copy of its parent's: deep paths (`paths`, `..` under path()) cost their depth.
  const perItem = 1 + ((path?.length ?? 0) >> 3);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      spend(perItem);
      out(v[i]!, path && [...path, i]);
    }
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      spend(perItem);
      out(v[k]!, path && [...path, k]);
    }
  } else fail(`Cannot iterate over ${describe(v)}`);
}

export function add(a: Json, b: Json): Json {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) {
    spend(a.length + b.length);
    return [...a, ...b];
  }
  if (isObject(a) && isObject(b)) return Object.assign(copyObject(a), b);
  return fail(`${describe(a)} and ${describe(b)} cannot be added`);
}

/** A shallow copy, charged by its size (copies in loops are what make programs quadratic). */
export function copyObject(o: JsonObject): JsonObject {
  const keys = Object.keys(o);
  spend(keys.length);
  const out = newObject();
  for (const k of keys) out[k] = o[k]!;
  return out;
}

function deepMerge(a: JsonObject, b: JsonObject): JsonObject {
  spend(10); // a copy per level: `. * .` on a value that shares its parts merges every copy
  const out = copyObject(a);
  for (const k of Object.keys(b)) {
    const x = getKey(out, k);
    const y = b[k]!;
    out[k] = isObject(x) && isObject(y) ? deepMerge(x, y) : y;
  }
  return out;
}

export function arithmetic(op: string, a: Json, b: Json): Json {
  switch (op) {
    case '+':
      return add(a, b);
    case '-':
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (Array.isArray(a) && Array.isArray(b)) return a.filter((x) => !b.some((y) => equal(x, y)));
      return fail(`${describe(a)} and ${describe(b)} cannot be subtracted`);
    case '*':
      if (typeof a === 'number' && typeof b === 'number') return a * b;
      if ((typeof a === 'string' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'string')) {
        const [s, n] = typeof a === 'string' ? [a, b as number] : [b as string, a];
        if (n <= 0) return null;
        const times = Math.max(1, Math.ceil(n));
        if (s.length * times > 1 << 20) return fail('Repeat string result too long');
        return s.repeat(times);
      }
      if (isObject(a) && isObject(b)) return deepMerge(a, b);
      return fail(`${describe(a)} and ${describe(b)} cannot be multiplied`);
    case '/':
      if (typeof a === 'number' && typeof b === 'number') {
        if (b === 0) return fail(`${describe(a)} and ${describe(b)} cannot be divided because the divisor is zero`);
        return a / b;
      }
      if (typeof a === 'string' && typeof b === 'string') return splitString(a, b);
      return fail(`${describe(a)} and ${describe(b)} cannot be divided`);
    case '%': {
      if (typeof a === 'number' && typeof b === 'number') {
        const d = Math.trunc(b);
        if (d === 0) return fail(`${describe(a)} and ${describe(b)} cannot be divided because the divisor is zero`);
        const r = Math.trunc(a) % Math.abs(d);
        return r === 0 ? 0 : r;
      }
      return fail(`${describe(a)} and ${describe(b)} cannot be divided`);
    }
    default: {
      const c = compare(a, b);
      if (op === '==') return c === 0;
      if (op === '!=') return c !== 0;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
  }
}

export function splitString(s: string, sep: string): Json {
  if (s === '') return [];
  if (sep === '') return [...s];
  return s.split(sep);
}

/** setpath: a copy of `root` with the value at `path` replaced (containers created as needed). */
export function setPath(root: Json, path: Path, value: Json, at = 0): Json {
  if (at === path.length) return value;
  const k = path[at]!;
  if (typeof k === 'string') {
    if (root !== null && !isObject(root)) return fail(`Cannot index ${typeName(root)} with string ${dump(k)}`);
    const out = root === null ? newObject() : copyObject(root);
    out[k] = setPath(getKey(out, k), path, value, at + 1);
    return out;
  }
  if (typeof k === 'number') {
    if (root !== null && !Array.isArray(root)) return fail(`Cannot index ${typeName(root)} with number`);
    spend(root?.length ?? 0);
    const out = [...(root ?? [])];
    let i = Math.floor(k);
    if (i < 0) {
      i += out.length;
      if (i < 0) return fail('Out of bounds negative array index');
    }
    if (i > 10_000_000) return fail('Array index too large');
    spend(Math.max(0, i - out.length));
    while (out.length < i) out.push(null);
    out[i] = setPath(out[i] ?? null, path, value, at + 1);
    return out;
  }
  if (root !== null && !Array.isArray(root)) return fail(`Cannot update field at object index of ${typeName(root)}`);
  const arr = root ?? [];
  const start = sliceBound(getKey(k, 'start'), arr.length, 0);
  const end = Math.max(start, sliceBound(getKey(k, 'end'), arr.length, arr.length));
  const replaced = setPath(arr.slice(start, end), path, value, at + 1);
  if (!Array.isArray(replaced)) return fail('A slice of an array can only be assigned another array');
  return [...arr.slice(0, start), ...replaced, ...arr.slice(end)];
}

export function getPath(root: Json, path: Json[]): Json {
  let v = root;
  for (const k of path) {
    if (v === null) return null;
    v = index(v, k);
  }
  return v;
}

/** delpaths: the paths removed longest and last first, so earlier indexes stay valid. */
export function deletePaths(root: Json, paths: Json[][]): Json {
  const sorted = [...paths].sort((a, b) => -compare(a, b));
  let out = root;
  for (const p of sorted) out = deletePath(out, p);
  return out;
}

function deletePath(root: Json, path: Json[]): Json {
  if (path.length === 0) return null;
  if (root === null) return null;
  const k = path[0]!;
  const rest = path.slice(1);
  if (rest.length > 0) {
    const child = index(root, k);
    if (child === null && !(typeof k === 'string' && isObject(root) && hasKey(root, k))) return root;
    return setPath(root, [k as PathPart], deletePath(child, rest));
  }
  if (typeof k === 'string') {
    if (!isObject(root)) return fail(`Cannot delete field at object index of ${typeName(root)}`);
    const out = copyObject(root);
    delete out[k];
    return out;
  }
  if (!Array.isArray(root)) return fail(`Cannot delete field at index of ${typeName(root)}`);
  if (typeof k === 'number') {
    const i = k < 0 ? root.length + Math.floor(k) : Math.floor(k);
    if (i < 0 || i >= root.length) return root;
    return [...root.slice(0, i), ...root.slice(i + 1)];
  }
  if (isObject(k)) {
    const start = sliceBound(getKey(k, 'start'), root.length, 0);
    const end = Math.max(start, sliceBound(getKey(k, 'end'), root.length, root.length));
    return [...root.slice(0, start), ...root.slice(end)];
  }
  return fail(`Cannot delete field at index of ${typeName(root)}`);
}

/** The keys of `.a.b…` (two fields or more, literal names down to `.`), outermost last; undefined for any other field. */
function fieldChain(node: Extract<Node, { kind: 'field' }>): PathPart[] | undefined {
  let chain = chains.get(node);
  if (chain === undefined) {
    const keys: PathPart[] = [];
    let n: Node = node;
    while (n.kind === 'field' && n.name.kind === 'literal') {
      keys.unshift(n.name.value as PathPart);
      n = n.target;
    }
    chain = n.kind === 'identity' && keys.length > 1 ? keys : null;
    chains.set(node, chain);
  }
  return chain ?? undefined;
}
const chains = new WeakMap<Node, PathPart[] | null>();

export class Evaluator {
  constructor(readonly rt: Runtime, private readonly natives: Record<string, Native>) {}

  private step(): void {
    spend(1);
  }

  /** Calls `out` for every value of `node` on input `v`. */
  ev(node: Node, v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    this.step();
    switch (node.kind) {
      case 'identity':
        return out(v, p);
      case 'recurse':
        return this.recurseAll(v, p, out);
      case 'literal':
        if (p) invalidPath(node.value);
        return out(node.value, null);
      case 'field': {
        // `.name`: the key (and `.`, the usual target) need no evaluation; their steps are still counted.
        const name = node.name;
        if (name.kind === 'literal') {
          const key = name.value as PathPart;
          const chain = p === null ? fieldChain(node) : undefined;
          if (chain) {
            // `.a.b.c` for its value: walked down at once, each step counted where the nested
            // evaluation below counts it (an ev per field, two at `.`, one per key after the first).
            for (let i = 1; i < chain.length; i++) this.step();
            this.step();
            this.step();
            let x = index(v, chain[0]!);
            for (let i = 1; i < chain.length; i++) {
              this.step();
              x = index(x, chain[i]!);
            }
            return out(x, null);
          }
          if (node.target.kind === 'identity') {
            this.step();
            this.step();
            return out(index(v, key), p && [...p, key]);
          }
          return this.ev(node.target, v, p, env, (t, tp) => {
            this.step();
            out(index(t, key), tp && [...tp, key]);
          });
        }
        return this.ev(node.target, v, p, env, (t, tp) =>
          this.ev(name, v, null, env, (k) => out(index(t, k), tp && [...tp, k as PathPart])));
      }
      case 'index':
        return this.ev(node.target, v, p, env, (t, tp) =>
          this.ev(node.index, v, null, env, (k) => {
            if (tp && isObject(k) && t !== null) return out(index(t, k), [...tp, k]);
            out(index(t, k), tp && [...tp, k as PathPart]);
          }));
      case 'slice':
        return this.ev(node.target, v, p, env, (t, tp) =>
          this.values(node.to, v, env, (to) =>
            this.values(node.from, v, env, (from) => {
              const key = Object.assign(newObject(), { start: from, end: to });
              out(slice(t, from, to), tp && [...tp, key]);
            })));
      case 'iterate':
        return this.ev(node.target, v, p, env, (t, tp) => iterate(t, tp, out));
      case 'try':
        return this.tryCatch(node.body, node.handler, v, p, env, out);
      case 'pipe':
        return this.ev(node.left, v, p, env, (x, xp) => this.ev(node.right, x, xp, env, out));
      case 'comma':
        this.ev(node.left, v, p, env, out);
        return this.ev(node.right, v, p, env, out);
      case 'neg':
        return this.ev(node.body, v, null, env, (x) => {
          if (typeof x !== 'number') fail(`${describe(x)} cannot be negated`);
          emitValue(-(x as number), p, out);
        });
      case 'binary':
        return this.ev(node.right, v, null, env, (r) => this.ev(node.left, v, null, env, (l) => emitValue(arithmetic(node.op, l, r), p, out)));
      case 'and':
      case 'or':
        return this.ev(node.left, v, null, env, (l) => {
          if (node.kind === 'and' ? !truthy(l) : truthy(l)) return emitValue(node.kind === 'or', p, out);
          this.ev(node.right, v, null, env, (r) => emitValue(truthy(r), p, out));
        });
      case 'alt':
        return this.alternative(node.left, node.right, v, p, env, out);
      case 'assign':
        return this.assign(node.op, node.left, node.right, v, p, env, out);
      case 'array': {
        const items: Json[] = [];
        if (node.body) this.ev(node.body, v, null, env, (x) => {
          spend(1);
          items.push(x);
        });
        return emitValue(items, p, out);
      }
      case 'object':
        return this.object(node.entries, 0, newObject(), v, env, (o) => emitValue(o, p, out));
      case 'var': {
        const value = this.variable(node.name, env);
        if (p) invalidPath(value);
        return out(value, null);
      }
      case 'as':
        return this.values(node.source, v, env, (x) => this.bindPatterns(node.patterns, x, v, env, (env2) => this.ev(node.body, v, p, env2, out)));
      case 'reduce':
        return this.values(node.init, v, env, (init) => {
          let acc: Json = init;
          this.values(node.source, v, env, (x) =>
            this.bindPatterns([node.pattern], x, v, env, (env2) => {
              let last: Json = null;
              this.values(node.update, acc, env2, (u) => void (last = u));
              acc = last;
            }));
          emitValue(acc, p, out);
        });
      case 'foreach':
        return this.values(node.init, v, env, (init) => {
          let acc: Json = init;
          this.values(node.source, v, env, (x) =>
            this.bindPatterns([node.pattern], x, v, env, (env2) =>
              this.values(node.update, acc, env2, (u) => {
                acc = u;
                if (node.extract) this.values(node.extract, u, env2, (e) => emitValue(e, p, out));
                else emitValue(u, p, out);
              })));
        });
      case 'if':
        return this.ifBranch(node.branches, 0, node.otherwise, v, p, env, out);
      case 'label': {
        const label = {};
        try {
          this.ev(node.body, v, p, { parent: env, name: `*label*${node.name}`, label }, out);
        } catch (error) {
          if (!(error instanceof BreakSignal && error.label === label)) throw error;
        }
        return;
      }
      case 'break': {
        const binding = lookup(env, `*label*${node.name}`);
        throw new BreakSignal(binding!.label!);
      }
      case 'call':
        return this.call(node.name, node.args, v, p, env, out);
      case 'def':
        return this.ev(node.body, v, p, bindDef(env, node.def), out);
      case 'string':
        return this.interpolate(node.parts, node.parts.length - 1, '', node.format, v, env, (s) => emitValue(s, p, out));
      case 'format':
        return emitValue(applyFormat(node.name, v), p, out);
    }
  }

  /** Values only (no paths). */
  values(node: Node | undefined, v: Json, env: Env | undefined, out: (x: Json) => void): void {
    if (!node) return out(null);
    this.ev(node, v, null, env, out);
  }

  /** Paths of a path expression (`path(f)`), as jq arrays. */
  paths(node: Node, v: Json, env: Env | undefined, out: (path: Path, x: Json) => void): void {
    this.ev(node, v, [], env, (x, xp) => out(xp!, x));
  }

  private recurseAll(v: Json, p: Path | null, out: Emit): void {
    this.step();
    out(v, p);
    if (Array.isArray(v)) v.forEach((x, i) => this.recurseAll(x, p && [...p, i], out));
    else if (isObject(v)) for (const k of Object.keys(v)) this.recurseAll(v[k]!, p && [...p, k], out);
  }

  private variable(name: string, env: Env | undefined): Json {
    if (name === 'ENV') return this.rt.env;
    const binding = lookup(env, `$${name}`);
    return binding?.value ?? null;
  }

  /**
   * Runs `body`, passing its values to `out`; returns the error `body` raised, if any. Errors
   * raised by `out` (what consumes the values) pass through untouched.
   */
  private guarded(body: Node, v: Json, p: Path | null, env: Env | undefined, out: Emit): JqRuntimeError | undefined {
    const marker = {};
    try {
      this.ev(body, v, p, env, (x, xp) => {
        try {
          out(x, xp);
        } catch (error) {
          throw new Downstream(marker, error);
        }
      });
    } catch (error) {
      if (error instanceof Downstream && error.marker === marker) throw error.error;
      if (!(error instanceof JqRuntimeError)) throw error;
      spend(STEPS_PER_CAUGHT_ERROR);
      return error;
    }
    return undefined;
  }

  /** Errors of `body` go to `handler` (or vanish). */
  private tryCatch(body: Node, handler: Node | undefined, v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    const error = this.guarded(body, v, p, env, out);
    if (error && handler) this.ev(handler, error.value, null, env, (x) => emitValue(x, p, out));
  }

  /** `left // right`: the truthy values of left (its errors ignored), else those of right. */
  private alternative(left: Node, right: Node, v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    let any = false;
    this.guarded(left, v, p, env, (x, xp) => {
      if (!truthy(x)) return;
      any = true;
      out(x, xp);
    });
    if (!any) this.ev(right, v, p, env, out);
  }

  private assign(op: string, left: Node, right: Node, v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    if (op === '|=') return emitValue(this.modify(left, v, env, (old, emit) => this.values(right, old, env, emit)), p, out);
    this.values(right, v, env, (r) => {
      if (op === '=') {
        let acc = v;
        this.paths(left, v, env, (path) => void (acc = setPath(acc, path, r)));
        return emitValue(acc, p, out);
      }
      const arith = op.slice(0, -1);
      emitValue(this.modify(left, v, env, (old, emit) => {
        if (arith === '//') emit(truthy(old) ? old : r);
        else emit(arithmetic(arith, old, r));
      }), p, out);
    });
  }

  /** jq 1.6's `_modify`: each path gets the first output of the update, or is deleted when there is none. */
  private modify(left: Node, v: Json, env: Env | undefined, update: (old: Json, emit: (x: Json) => void) => void): Json {
    const paths: Path[] = [];
    this.paths(left, v, env, (path) => void paths.push(path));
    let acc = v;
    for (const path of paths) {
      let first: { value: Json } | undefined;
      const stop = {};
      try {
        update(getPath(acc, path), (x) => {
          first = { value: x };
          throw stop;
        });
      } catch (error) {
        if (error !== stop) throw error;
      }
      acc = first ? setPath(acc, path, first.value) : deletePaths(acc, [path]);
    }
    return acc;
  }

  private object(entries: { key: Node; value?: Node }[], i: number, acc: JsonObject, v: Json, env: Env | undefined, out: (o: JsonObject) => void): void {
    if (i === entries.length) return out(acc);
    const entry = entries[i]!;
    this.values(entry.key, v, env, (k) => {
      if (typeof k !== 'string') {
        if (typeof k === 'number' || k === null || typeof k === 'boolean') fail(`Object keys must be strings`);
        fail(`Object keys must be strings`);
      }
      spend((k as string).length >> 4); // a key is hashed when set: a megabyte key costs its length
      this.values(entry.value, v, env, (x) => {
        const next = copyObject(acc);
        next[k as string] = x;
        this.object(entries, i + 1, next, v, env, out);
      });
    });
  }

  private ifBranch(branches: { cond: Node; then: Node }[], i: number, otherwise: Node | undefined, v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    if (i === branches.length) {
      if (otherwise) this.ev(otherwise, v, p, env, out);
      else out(v, p);
      return;
    }
    const branch = branches[i]!;
    this.values(branch.cond, v, env, (c) => {
      if (truthy(c)) this.ev(branch.then, v, p, env, out);
      else this.ifBranch(branches, i + 1, otherwise, v, p, env, out);
    });
  }

  private interpolate(parts: (string | Node)[], i: number, tail: string, format: string | undefined, v: Json, env: Env | undefined, out: (s: string) => void): void {
    if (i < 0) return out(tail);
    const part = parts[i]!;
    if (typeof part === 'string') return this.interpolate(parts, i - 1, part + tail, format, v, env, out);
    this.values(part, v, env, (x) => {
      const text = format !== undefined ? applyFormat(format, x) : typeof x === 'string' ? x : dump(x);
      this.interpolate(parts, i - 1, text + tail, format, v, env, out);
    });
  }

  private bindPatterns(patterns: Pattern[], x: Json, v: Json, env: Env | undefined, body: (env: Env | undefined) => void): void {
    // `?//`: a pattern whose destructuring or body fails hands over to the next one.
    for (let i = 0; i < patterns.length; i++) {
      const last = i === patterns.length - 1;
      // Every variable of every alternative exists (null when this pattern does not bind it).
      let base = env;
      for (const pattern of patterns) for (const name of patternVars(pattern)) base = bindValue(base, name, null);
      if (last) return this.destructure(patterns[i]!, x, v, base, body);
      try {
        return this.destructure(patterns[i]!, x, v, base, body);
      } catch (error) {
        if (!(error instanceof JqRuntimeError)) throw error;
        spend(STEPS_PER_CAUGHT_ERROR);
      }
    }
  }

  private destructure(pattern: Pattern, x: Json, v: Json, env: Env | undefined, body: (env: Env | undefined) => void): void {
    if (pattern.kind === 'var') return body(bindValue(env, pattern.name, x));
    if (pattern.kind === 'array') {
      if (x !== null && !Array.isArray(x)) fail(`Cannot index ${typeName(x)} with number`);
      const bindFrom = (i: number, e: Env | undefined): void => {
        if (i === pattern.items.length) return body(e);
        this.destructure(pattern.items[i]!, index(x, i), v, e, (e2) => bindFrom(i + 1, e2));
      };
      return bindFrom(0, env);
    }
    const bindFrom = (i: number, e: Env | undefined): void => {
      if (i === pattern.entries.length) return body(e);
      const entry = pattern.entries[i]!;
      this.values(entry.key, v, e, (k) => {
        if (typeof k !== 'string') fail(`Cannot index ${typeName(x)} with ${typeName(k)}`);
        const value = index(x, k);
        let e2 = e;
        if (entry.keyVar !== undefined) e2 = bindValue(e2, entry.keyVar, value);
        if (entry.value) this.destructure(entry.value, value, v, e2, (e3) => bindFrom(i + 1, e3));
        else bindFrom(i + 1, e2);
      });
    };
    bindFrom(0, env);
  }

  call(name: string, args: Node[], v: Json, p: Path | null, env: Env | undefined, out: Emit): void {
    const key = `${name}/${args.length}`;
    const binding = lookup(env, key);
    if (binding?.closure) return this.ev(binding.closure.node, v, p, binding.closure.env, out);
    if (binding?.def) {
      const { def, env: defEnv } = binding.def;
      const bindArgs = (i: number, e: Env): void => {
        if (i === def.params.length) return this.ev(def.body, v, p, e, out);
        const param = def.params[i]!;
        if (!param.startsWith('$')) return bindArgs(i + 1, { parent: e, name: `${param}/0`, closure: { node: args[i]!, env: env! } });
        this.values(args[i]!, v, env, (x) => {
          const withValue = bindValue(e, param.slice(1), x);
          bindArgs(i + 1, { parent: withValue, name: `${param.slice(1)}/0`, closure: { node: { kind: 'literal', value: x }, env: withValue } });
        });
      };
      return bindArgs(0, defEnv);
    }
    const native = this.natives[key];
    if (!native) fail(`${key} is not defined`);
    native!(this, v, p, args.map((node) => ({ node, env: env! })), out);
  }
}

/** A computed value: fine as a value, an error where a path was asked for. */
export function emitValue(x: Json, p: Path | null, out: Emit): void {
  if (p) invalidPath(x);
  out(x, null);
}

export function patternVars(pattern: Pattern): string[] {
  if (pattern.kind === 'var') return [pattern.name];
  if (pattern.kind === 'array') return pattern.items.flatMap(patternVars);
  return pattern.entries.flatMap((e) => [...(e.keyVar !== undefined ? [e.keyVar] : []), ...(e.value ? patternVars(e.value) : [])]);
}

const TSV_ESCAPED = /[\\\t\n\r]/;
const TSV_ESCAPES = /[\\\t\n\r]/g;
const TSV_ESCAPE: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' };

const asText = (x: Json): string => (typeof x === 'string' ? x : dump(x));

/** `@name`: a value rendered as a string in that format. */
export function applyFormat(name: string, x: Json): string {
  if (typeof x === 'string') spend(x.length >> 4); // each format walks the string (a value's text is charged by dump)
  switch (name) {
    case 'text':
      return asText(x);
    case 'json':
      return dump(x);
    case 'html':
      return asText(x).replace(/[<>&'"]/g, (c) => HTML[c]!);
    case 'uri':
      return [...Buffer.from(asText(x), 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
    case 'csv':
    case 'tsv': {
      if (!Array.isArray(x)) return fail(`${describe(x)} cannot be ${name}-formatted, only an array can be`);
      // Concatenated, not mapped and joined: `.items[] | [...] | @tsv` runs this once per object.
      const separator = name === 'csv' ? ',' : '\t';
      let row = '';
      for (let i = 0; i < x.length; i++) {
        const item = x[i]!;
        if (i > 0) row += separator;
        if (typeof item === 'number') row += dump(item);
        else if (typeof item === 'boolean') row += String(item);
        else if (item === null) continue;
        else if (typeof item !== 'string') return fail(`${describe(item)} is not valid in a csv row`);
        else if (name === 'csv') row += `"${item.replace(/"/g, '""')}"`;
        else row += TSV_ESCAPED.test(item) ? item.replace(TSV_ESCAPES, (c) => TSV_ESCAPE[c]!) : item;
      }
      return row;
    }
    case 'sh': {
      const quote = (item: Json): string => {
        if (typeof item === 'string') return `'${item.replace(/'/g, "'\\''")}'`;
        if (item === null || typeof item !== 'object') return dump(item);
        return fail(`${describe(item)} can not be escaped for shell`);
      };
      return Array.isArray(x) ? x.map(quote).join(' ') : quote(x);
    }
    case 'base64':
      return Buffer.from(asText(x), 'utf8').toString('base64');
    case 'base64d': {
      const text = asText(x);
      const decoded = Buffer.from(text, 'base64');
      if (text !== '' && decoded.length === 0) return fail(`${describe(x)} is not valid base64 data`);
      return decoded.toString('utf8');
    }
    case 'base32':
      return base32(Buffer.from(asText(x), 'utf8'));
    default:
      return fail(`${name} is not a valid format`);
  }
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}
