// jq values: type names, the total order jq sorts by, equality, and how numbers and values
// print (jq 1.6: 17 significant digits, `1e+17`, keys in insertion order).
import { BudgetExceeded, spend } from './meter.js';
import type { Json } from './parse.js';
import { MAX_STAGE_CHARS } from '../../limits.js';

export type JsonObject = { [key: string]: Json };

/** An error a jq program raises (`error(v)` or a failed operation); `value` is what `catch` sees. */
export class JqRuntimeError {
  constructor(readonly value: Json) {}
}

export const isObject = (v: Json): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** A fresh object without a prototype, so keys like `__proto__` stay plain keys. */
export function newObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

export function getKey(o: JsonObject, key: string): Json {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key]! : null;
}

export function hasKey(o: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

const TYPE_ORDER: Record<string, number> = { null: 0, false: 1, true: 2, number: 3, string: 4, array: 5, object: 6 };
const orderOf = (v: Json): number => TYPE_ORDER[typeof v === 'boolean' ? String(v) : typeName(v)]!;

/** Code-point order, as jq compares strings (UTF-8 bytes). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

export function compare(a: Json, b: Json): number {
  // Each value compared is a step and long strings cost their length: values share their
  // parts (`{a:., b:.}` in a loop), so what a comparison walks may be exponentially larger
  // than the work that built it.
  spend(4); // a comparison is some tenths of a microsecond (types, then values), ten steps' time
  if (a === b) return 0;
  if (typeof a === 'string' && typeof b === 'string') spend(Math.min(a.length, b.length) >> 4);
  const oa = orderOf(a);
  const ob = orderOf(b);
  if (oa !== ob) return oa < ob ? -1 : 1;
  if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (Array.isArray(a)) {
    const bb = b as Json[];
    for (let i = 0; i < a.length && i < bb.length; i++) {
      const c = compare(a[i]!, bb[i]!);
      if (c !== 0) return c;
    }
    return a.length < bb.length ? -1 : a.length > bb.length ? 1 : 0;
  }
  if (isObject(a)) {
    const bo = b as JsonObject;
    const ka = Object.keys(a);
    spend(ka.length);
    ka.sort(compareStrings);
    const kb = Object.keys(bo).sort(compareStrings);
    const byKeys = compare(ka, kb);
    if (byKeys !== 0) return byKeys;
    for (const k of ka) {
      const c = compare(a[k]!, bo[k]!);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const equal = (a: Json, b: Json): boolean => compare(a, b) === 0;

export const sortKeys = (keys: string[]): string[] => keys.sort(compareStrings);

export const truthy = (v: Json): boolean => v !== null && v !== false;

/** A number as jq 1.6 prints it: shortest round-trip digits, exponent past 17 digits or below 1e-4. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'null';
  if (!Number.isFinite(n)) return n > 0 ? '1.7976931348623157e+308' : '-1.7976931348623157e+308';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // Between 1e-4 and 1e16 JavaScript already prints what jq prints.
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e16) return String(n);
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const decpt = Number(exp) + 1;
  let out: string;
  if (decpt <= -4 || decpt > digits.length + 15) {
    const e = decpt - 1;
    out = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  } else if (decpt <= 0) out = `0.${'0'.repeat(-decpt)}${digits}`;
  else if (decpt >= digits.length) out = digits + '0'.repeat(decpt - digits.length);
  else out = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  return negative ? `-${out}` : out;
}

const STRING_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' };

export function quoteString(s: string, ascii = false): string {
  // JSON.stringify escapes as jq does, except DEL, which jq writes as \u007f.
  if (!ascii) {
    const quoted = JSON.stringify(s);
    return quoted.includes('\x7f') ? quoted.replace(/\x7f/g, '\\u007f') : quoted;
  }
  // eslint-disable-next-line no-control-regex
  const re = /["\\\u0000-\u001f\u007f-\uffff]/g;
  return `"${s.replace(re, (c) => STRING_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

export interface DumpOptions {
  /** Spaces per level (0: compact); `tab` indents with tabs. */
  indent: number;
  tab?: boolean;
  sortKeys?: boolean;
  ascii?: boolean;
}

const weights = new WeakMap<object, number>();

/**
 * At most the length of the value's compact text (its tree, every shared part counted each
 * time it appears), in time proportional to its distinct parts: values share their parts, so
 * `reduce range(40) as $i ({}; {a:., b:.})` is cheap to build and 2^40 objects to print.
 */
export function weight(v: Json): number {
  if (v === null || typeof v === 'boolean') return 4;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return v.length + 2;
  const known = weights.get(v);
  if (known !== undefined) return known;
  let total = 1;
  if (Array.isArray(v)) for (const x of v) total += weight(x) + 1;
  else for (const k of Object.keys(v)) total += k.length + 4 + weight(v[k]!);
  weights.set(v, total);
  return total;
}

/**
 * The text jq prints for a value, charged by its size before it is built (a step per 64
 * characters); one that could never be printed (over what a stage may pass on) stops the run.
 */
export function dump(v: Json, opts: DumpOptions = { indent: 0 }): string {
  const size = weight(v);
  if (size > MAX_STAGE_CHARS) throw new BudgetExceeded();
  spend(size >> 6);
  return dumpText(v, opts, 0);
}

/**
 * A result as jq prints it: refused like `dump` when it could never be printed, but not
 * charged (the line pays for what a stage prints).
 */
export function printed(v: Json, opts: DumpOptions): string {
  if (weight(v) > MAX_STAGE_CHARS) throw new BudgetExceeded();
  return dumpText(v, opts, 0);
}

function dumpText(v: Json, opts: DumpOptions, depth: number): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return quoteString(v, opts.ascii);
  const pretty = opts.indent > 0 || opts.tab === true;
  const pad = (d: number): string => (opts.tab ? '\t'.repeat(d) : ' '.repeat(opts.indent * d));
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((x) => dumpText(x, opts, depth + 1));
    return pretty ? `[\n${items.map((x) => pad(depth + 1) + x).join(',\n')}\n${pad(depth)}]` : `[${items.join(',')}]`;
  }
  const keys = opts.sortKeys ? sortKeys(Object.keys(v)) : Object.keys(v);
  if (keys.length === 0) return '{}';
  const items = keys.map((k) => `${quoteString(k, opts.ascii)}:${pretty ? ' ' : ''}${dumpText(v[k]!, opts, depth + 1)}`);
  return pretty ? `{\n${items.map((x) => pad(depth + 1) + x).join(',\n')}\n${pad(depth)}}` : `{${items.join(',')}}`;
}

/** A value in an error message, cut as jq cuts it (`{"aaaaaaaaa...`). */
export function errorDump(v: Json): string {
  if (weight(v) > 14) return `${textPrefix(v, 11)}...`; // its text is longer: only the start is built
  const text = dumpText(v, { indent: 0 }, 0);
  return text.length > 14 ? `${text.slice(0, 11)}...` : text;
}

/** The first `n` characters of a value's compact text, built only as far as they need. */
function textPrefix(v: Json, n: number): string {
  let text = '';
  const write = (x: Json): void => {
    if (text.length >= n) return;
    if (typeof x === 'string') text += quoteString(x.slice(0, n + 1)); // +1: never cuts a surrogate pair in the kept part
    else if (x === null || typeof x !== 'object') text += dumpText(x, { indent: 0 }, 0);
    else if (Array.isArray(x)) {
      text += '[';
      for (let i = 0; i < x.length && text.length < n; i++) {
        if (i > 0) text += ',';
        write(x[i]!);
      }
      text += ']';
    } else {
      text += '{';
      let first = true;
      for (const k in x) {
        if (text.length >= n) break;
        text += `${first ? '' : ','}${quoteString(k.slice(0, n + 1))}:`;
        first = false;
        write(x[k]!);
      }
      text += '}';
    }
  };
  write(v);
  return text.slice(0, n);
}

/** `number (1)`, as jq describes a value in errors. */
export const describe = (v: Json): string => `${typeName(v)} (${errorDump(v)})`;

export const fail = (message: string): never => {
  throw new JqRuntimeError(message);
};
