// jq's builtins: those jq itself defines in jq (parsed once, as in jq's builtin.jq, with
// 1.6's quirks kept: `limit(0; f)` gives one value, `join` adds strings only), and native ones.
// Regular expressions run on re2js (linear time); offsets count code points, as jq's do.
import { RE2JS } from 're2js';
import type { Json } from './parse.js';
import { parseDefs } from './parse.js';
import { jsonError } from './input.js';
import { strftime as strftimeUtc } from '../../strftime.js';
import { Evaluator, spend, applyFormat, bindDef, deletePaths, emitValue, getPath, index, indicesOf, invalidPath, setPath, splitString, type Closure, type Env, type Native, type Path } from './eval.js';
import { currentRun } from './meter.js';
import { JqRuntimeError, compare, describe, dump, equal, fail, getKey, hasKey, isObject, newObject, sortKeys, truthy, typeName, type JsonObject } from './value.js';

const LIBRARY = `
def not: if . then false else true end;
def select(f): if f then . else empty end;
def values: select(. != null);
def nulls: select(. == null);
def booleans: select(type == "boolean");
def numbers: select(type == "number");
def strings: select(type == "string");
def arrays: select(type == "array");
def objects: select(type == "object");
def iterables: select(type | . == "array" or . == "object");
def scalars: select(type | . != "array" and . != "object");
def recurse(f): def r: ., (f | r); r;
def recurse(f; cond): def r: ., (f | select(cond) | r); r;
def recurse: recurse(.[]?);
def map(f): [.[] | f];
def map_values(f): .[] |= f;
def to_entries: [keys_unsorted[] as $k | {key: $k, value: .[$k]}];
def from_entries: map({(.key // .k // .name // .Name // .K // .Key | if type == "string" then . else tojson end): (if has("value") then .value else .v end)}) | add + {} // {};
def with_entries(f): to_entries | map(f) | from_entries;
def paths: path(..) | select(length > 0);
def paths(node_filter): . as $dot | paths | select(. as $p | $dot | getpath($p) | node_filter);
def leaf_paths: paths(scalars);
def del(f): delpaths([path(f)]);
def any: reduce .[] as $x (false; . or $x);
def all: reduce .[] as $x (true; . and $x);
def any(f): reduce (.[] | f) as $x (false; . or $x);
def all(f): reduce (.[] | f) as $x (true; . and $x);
def isempty(g): first((g | false), true);
def any(g; cond): isempty(first(g | cond | select(.))) | not;
def all(g; cond): isempty(first(g | cond | select(. | not)));
def range($x): range(0; $x);
def in(xs): . as $x | xs | has($x);
def inside(xs): . as $x | xs | contains($x);
def walk(f): def w: if type == "object" then map_values(w) elif type == "array" then map(w) else . end | f; w;
def first(f): label $__first | (f | ., break $__first);
def last(f): reduce f as $x (null; $x);
def limit($n; f): if $n < 0 then f else label $__limit | foreach f as $item (0; . + 1; $item, if . >= $n then break $__limit else empty end) end;
def nth($n): .[$n];
def nth($n; f): if $n < 0 then error("Out of bounds negative array index") else last(limit($n + 1; f)) end;
def first: .[0];
def last: .[-1];
def until(cond; update): def _until: if cond then . else (update | _until) end; _until;
def while(cond; update): def _while: if cond then ., (update | _while) else empty end; _while;
def repeat(f): def _repeat: ., _repeat; f | _repeat;
def INDEX(stream; idx_expr): reduce stream as $row ({}; .[$row | idx_expr | tostring] |= $row);
def INDEX(idx_expr): INDEX(.[]; idx_expr);
def IN(s): any(s == .; .);
def IN(src; s): any(src == s; .);
def add: reduce .[] as $x (null; . + $x);
def join($x): reduce .[] as $i (null; (if . == null then "" else . + $x end) + ($i | if . == null then "" elif type == "boolean" or type == "number" then tojson else . end)) | if . == null then "" else . end;
def flatten($x): if $x < 0 then error("flatten depth must not be negative") else reduce .[] as $i ([]; if $i | type == "array" and $x > 0 then . + ($i | flatten($x - 1)) else . + [$i] end) end;
def flatten: flatten(1e9);
def reverse: [.[length - 1 - range(0; length)]];
def indices($i): if type == "array" and ($i | type) == "array" then .[$i] elif type == "array" then .[[$i]] elif ($i | type) == "string" then _strindices($i) else .[[$i]] end;
def index($i): indices($i) | .[0];
def rindex($i): indices($i) | .[-1:][0];
def finites: select(isinfinite or isnan | not);
def normals: select(isnormal);
def combinations: if length == 0 then [] else .[0][] as $x | (.[1:] | combinations) as $w | [$x] + $w end;
def combinations(n): . as $dot | [range(n)] | map($dot) | combinations;
def tostream: path(def r: (.[]? | r), .; r) as $p | getpath($p) | reduce path(.[]?) as $q ([$p, .]; [$p + $q]);
def transpose: if . == [] then [] else . as $in | (map(length) | max) as $max | [range(0; $max) as $j | [range(0; $in | length) as $i | $in[$i][$j]]] end;
def capture(re): capture(re; null);
def capture(re; mods): match(re; mods) | [.captures | .[] | select(.name != null) | {key: .name, value: .string}] | from_entries;
def scan(re): scan(re; null);
def scan(re; $flags): match(re; "g" + ($flags // "")) | if (.captures | length > 0) then [.captures | .[] | .string] else .string end;
def test(re): test(re; null);
def match(re): match(re; null);
def splits($re): splits($re; null);
def splits($re; flags): split($re; flags) | .[];
def sub(re; str): sub(re; str; "");
def gsub(re; str): sub(re; str; "g");
def gsub(re; str; flags): sub(re; str; flags + "g");
def todate: strftime("%Y-%m-%dT%H:%M:%SZ");
def todateiso8601: todate;
def fromdateiso8601: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime;
def fromdate: fromdateiso8601;
def dateadd(u; n): . + n;
def datesub(u; n): . - n;
def date: todate;
def env: $ENV;
def error: error(.);
def tojson: _tojson;
def pick(pathexps): . as $top | reduce path(pathexps) as $p (null; setpath($p; $top | getpath($p)));
def toarray: if type == "array" then . else [.] end;
def abs: if type == "number" and . < 0 then - . else . end;
def inputs: def r: (input | (., r))?; r;
def isvalid(f): try (f | true) catch false;
def min_by(f): _min_by(map([f]));
def max_by(f): _max_by(map([f]));
def sort_by(f): _sort_by(map([f]));
def group_by(f): _group_by(map([f]));
def unique_by(f): _unique_by(map([f]));
def unique: unique_by(.);
def halt_error: halt_error(5);
`;

/** Evaluates each closure's values, first argument outermost (as jq does for `$` parameters). */
function withArgs(e: Evaluator, v: Json, args: Closure[], body: (values: Json[]) => void, i = 0, acc: Json[] = []): void {
  if (i === args.length) return body(acc);
  e.values(args[i]!.node, v, args[i]!.env, (x) => withArgs(e, v, args, body, i + 1, [...acc, x]));
}

/**
 * A native of values only: `f(v, ...args)` → one value. Natives of strings walk them (length,
 * test, split, explode, ltrimstr…): a step per 16 characters of each string, or a loop over a
 * megabyte string runs for free.
 */
const fn = (f: (v: Json, ...args: Json[]) => Json): Native => (e, v, p, args, out) =>
  withArgs(e, v, args, (values) => {
    let chars = typeof v === 'string' ? v.length : 0;
    for (const x of values) if (typeof x === 'string') chars += x.length;
    spend(chars >> 4);
    emitValue(f(v, ...values), p, out);
  });

function length(v: Json): Json {
  if (v === null) return 0;
  if (typeof v === 'boolean') return fail(`${describe(v)} has no length`);
  if (typeof v === 'number') return Math.abs(v);
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  return Object.keys(v).length;
}

function keys(v: Json, sorted: boolean): Json {
  if (Array.isArray(v)) return v.map((_, i) => i);
  if (isObject(v)) return sorted ? sortKeys(Object.keys(v)) : Object.keys(v);
  return fail(`${describe(v)} has no keys`);
}

function has(v: Json, k: Json): Json {
  if (isObject(v) && typeof k === 'string') return hasKey(v, k);
  if (Array.isArray(v) && typeof k === 'number') return k >= 0 && k < v.length;
  return fail(`Cannot check whether ${typeName(v)} has a ${typeName(k)} key`);
}

function contains(a: Json, b: Json): boolean {
  spend(1); // a step per pair tried: shared parts make the walk exponentially larger than the values' making
  if (typeName(a) !== typeName(b)) fail(`${describe(a)} and ${describe(b)} cannot have their containment checked`);
  if (typeof a === 'string') return a.includes(b as string);
  if (Array.isArray(a)) return (b as Json[]).every((y) => a.some((x) => typeName(x) === typeName(y) && contains(x, y)));
  if (isObject(a)) return Object.keys(b as JsonObject).every((k) => hasKey(a, k) && typeName(a[k]!) === typeName((b as JsonObject)[k]!) && contains(a[k]!, (b as JsonObject)[k]!));
  return equal(a, b);
}

function tostring(v: Json): string {
  return typeof v === 'string' ? v : dump(v);
}

function tonumber(v: Json): Json {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return fail(`${describe(v)} cannot be parsed as a number`);
  const text = v.trim();
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === 'nan' || text === 'NaN') return NaN;
  return fail(`${jsonError(v)} (while parsing '${v}')`);
}

function explode(v: Json): Json {
  if (typeof v !== 'string') return fail(`${describe(v)} cannot be exploded`);
  return [...v].map((c) => c.codePointAt(0)!);
}

function implode(v: Json): Json {
  if (!Array.isArray(v)) return fail(`${describe(v)} cannot be imploded`);
  return v.map((c) => {
    if (typeof c !== 'number') return fail('Unicode codepoint must be numeric');
    return String.fromCodePoint(c >= 0 && c <= 0x10ffff && !(c >= 0xd800 && c < 0xe000) ? Math.trunc(c) : 0xfffd);
  }).join('');
}

const requireString = (v: Json, what: string): string => (typeof v === 'string' ? v : fail(`${describe(v)} ${what}`));

function regexFlags(flags: Json): { global: boolean; re2: number; noEmpty: boolean } {
  if (flags !== null && typeof flags !== 'string') return fail(`${describe(flags)} is not a string`);
  let re2 = 0;
  for (const f of flags ?? '') {
    if (f === 'i') re2 |= RE2JS.CASE_INSENSITIVE;
    else if (f === 's') re2 |= RE2JS.DOTALL;
    else if (!'gxnlp'.includes(f)) fail(`${flags} is not a valid modifier string`);
  }
  return { global: (flags ?? '').includes('g'), re2, noEmpty: (flags ?? '').includes('n') };
}

function compile(re: Json, flags: number): RE2JS {
  if (typeof re !== 'string') return fail(`${typeName(re)} not a string or array`);
  try {
    return RE2JS.compile(re, flags);
  } catch (error) {
    return fail(`${re} (at offset 0) is not a valid regex: ${error instanceof Error ? error.message : ''}`);
  }
}

/** jq's match objects: offsets and lengths in code points. */
function matches(input: Json, re: Json, flags: Json): Json[] {
  if (typeof input !== 'string') return fail(`${describe(input)} cannot be matched, as it is not a string`);
  const f = regexFlags(flags);
  const compiled = compile(re, f.re2);
  const names = new Map<number, string>(Object.entries(compiled.namedGroups()).map(([name, i]) => [i, name]));
  const m = compiled.matcher(input);
  const cp = (i: number): number => [...input.slice(0, i)].length;
  const found: Json[] = [];
  let from = 0;
  while (from <= input.length && m.find(from)) {
    const start = m.start();
    const end = m.end();
    if (!(f.noEmpty && start === end)) {
      const captures: Json[] = [];
      for (let g = 1; g <= compiled.groupCount(); g++) {
        const s = m.group(g);
        const capture = newObject();
        Object.assign(capture, { offset: s === null ? -1 : cp(m.start(g)), length: s === null ? 0 : [...s].length, string: s, name: names.get(g) ?? null });
        captures.push(capture);
      }
      const match = newObject();
      Object.assign(match, { offset: cp(start), length: [...input.slice(start, end)].length, string: input.slice(start, end), captures });
      found.push(match);
    }
    if (!f.global) break;
    from = end > start ? end : end + 1;
  }
  return found;
}

function captureObject(match: JsonObject): JsonObject {
  const o = newObject();
  for (const c of match.captures as JsonObject[]) if (c.name !== null) o[c.name as string] = c.string!;
  return o;
}

function sortByKeys(v: Json, keyed: Json): { item: Json; key: Json }[] {
  if (!Array.isArray(v)) return fail(`Cannot index ${typeName(v)} with number`);
  spend(v.length * 4);
  const ks = keyed as Json[];
  return v.map((item, i) => ({ item, key: ks[i]! })).sort((a, b) => compare(a.key, b.key));
}

function gmtime(v: Json): Json {
  if (typeof v !== 'number') return fail('gmtime() requires a number');
  const d = new Date(Math.floor(v) * 1000);
  const yday = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds() + (v - Math.floor(v)), d.getUTCDay(), yday];
}

function brokenDown(v: Json, what: string): number[] {
  if (typeof v === 'number') return gmtime(v) as number[];
  if (!Array.isArray(v) || v.length < 6 || v.some((x) => typeof x !== 'number')) return fail(`${what} requires parsed datetime inputs`);
  return v as number[];
}

function mktime(v: Json): Json {
  const t = brokenDown(v, 'mktime');
  return Math.floor(Date.UTC(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, Math.floor(t[5]!)) / 1000);
}

function strftime(v: Json, format: Json): Json {
  if (typeof format !== 'string') return fail('strftime/1 requires a string format');
  const t = brokenDown(v, 'strftime/1');
  const d = new Date(Date.UTC(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, Math.floor(t[5]!)));
  return strftimeUtc(d, format, true);
}

/**
 * The last format's pattern: compiling one costs ~1 µs a character, charged the first time a
 * run uses it (so the same program spends the same steps whatever other rooms ran), and a map
 * over many dates compiles its one format once.
 */
let lastPattern: { re: string; compiled: RE2JS; run: number } | undefined;

function strptimePattern(re: string): RE2JS {
  if (lastPattern?.re === re && lastPattern.run === currentRun()) return lastPattern.compiled;
  spend(re.length * 100);
  const compiled = lastPattern?.re === re ? lastPattern.compiled : RE2JS.compile(`^${re}$`);
  lastPattern = { re, compiled, run: currentRun() };
  return compiled;
}

function strptime(v: Json, format: Json): Json {
  if (typeof v !== 'string') return fail(`strptime/1 requires string inputs and arguments`);
  if (typeof format !== 'string') return fail('strptime/1 requires string inputs and arguments');
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let re = '';
  const order: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%' && i + 1 < format.length) {
      const code = format[++i]!;
      if (code === 'Y') re += '(\\d{4})';
      else if ('mdHMS'.includes(code)) re += '(\\d{1,2})';
      else if (code === 'Z') re += '[A-Z]+';
      else if (code === 'z') re += '[+-]\\d{4}';
      else if (code === '%') re += '%';
      else re += '.*?';
      if ('YmdHMS'.includes(code)) order.push(code);
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // re2js, linear in the text: a JavaScript RegExp backtracked on `.*?.*?…` (the codes read as
  // anything), and `"aaa…" | strptime("%a%a%a%a%a%a%a%a%a%aX")` held the process for good.
  // Its NFA walks the text once per state of the pattern: charged so.
  spend((re.length * (v.length + 1)) >> 2);
  const m = strptimePattern(re).matcher(v);
  if (!m.matches()) return fail(`date "${v}" does not match format "${format}"`);
  order.forEach((code, i) => (parts[code] = Number(m.group(i + 1))));
  const ms = Date.UTC(parts.Y!, parts.m! - 1, parts.d!, parts.H!, parts.M!, parts.S!);
  return gmtime(ms / 1000);
}

const math1 = (f: (x: number) => number): Native => fn((v) => (typeof v === 'number' ? f(v) : fail(`${describe(v)} number required`)));

export const NATIVES: Record<string, Native> = {
  'empty/0': () => undefined,
  'error/1': (e, v, _p, args) => e.values(args[0]!.node, v, args[0]!.env, (msg) => {
    throw new JqRuntimeError(msg);
  }),
  'path/1': (e, v, p, args, out) => e.paths(args[0]!.node, v, args[0]!.env, (path) => emitValue(path as Json, p, out)),
  'getpath/1': (e, v, p, args, out) => e.values(args[0]!.node, v, args[0]!.env, (path) => {
    if (!Array.isArray(path)) fail('Path must be specified as an array');
    let value: Json;
    try {
      value = getPath(v, path as Json[]);
    } catch {
      value = null;
    }
    out(value, p && [...p, ...(path as Path)]);
  }),
  'setpath/2': fn((v, path, x) => (Array.isArray(path) ? setPath(v, path as Path, x) : fail('Path must be specified as an array'))),
  'delpaths/1': fn((v, paths) => (Array.isArray(paths) && paths.every(Array.isArray) ? deletePaths(v, paths as Json[][]) : fail('Paths must be specified as an array'))),
  'length/0': fn(length),
  'utf8bytelength/0': fn((v) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : fail(`${describe(v)} only strings have UTF-8 byte length`))),
  'keys/0': fn((v) => keys(v, true)),
  'keys_unsorted/0': fn((v) => keys(v, false)),
  'has/1': fn(has),
  'contains/1': fn(contains),
  'type/0': fn(typeName),
  'tostring/0': fn(tostring),
  'tonumber/0': fn(tonumber),
  '_tojson/0': fn((v) => dump(v)),
  'fromjson/0': fn((v) => parseJsonText(requireString(v, 'only strings can be parsed'))),
  'explode/0': fn(explode),
  'implode/0': fn(implode),
  'ltrimstr/1': fn((v, s) => (typeof v === 'string' && typeof s === 'string' && v.startsWith(s) ? v.slice(s.length) : v)),
  'rtrimstr/1': fn((v, s) => (typeof v === 'string' && typeof s === 'string' && v.endsWith(s) && s !== '' ? v.slice(0, v.length - s.length) : v)),
  'startswith/1': fn((v, s) => (typeof v === 'string' && typeof s === 'string' ? v.startsWith(s) : fail('startswith() requires string inputs'))),
  'endswith/1': fn((v, s) => (typeof v === 'string' && typeof s === 'string' ? v.endsWith(s) : fail('endswith() requires string inputs'))),
  'trim/0': fn((v) => requireString(v, 'cannot be trimmed').trim()),
  'ltrim/0': fn((v) => requireString(v, 'cannot be trimmed').trimStart()),
  'rtrim/0': fn((v) => requireString(v, 'cannot be trimmed').trimEnd()),
  'split/1': fn((v, sep) => (typeof v === 'string' && typeof sep === 'string' ? splitString(v, sep) : fail('split input and separator must be strings'))),
  'split/2': fn((v, re, flags) => {
    const s = requireString(v, 'cannot be matched, as it is not a string');
    const found = matches(s, re, `g${typeof flags === 'string' ? flags : ''}`) as JsonObject[];
    const parts: string[] = [];
    const chars = [...s];
    let at = 0;
    for (const m of found) {
      parts.push(chars.slice(at, m.offset as number).join(''));
      at = (m.offset as number) + (m.length as number);
    }
    parts.push(chars.slice(at).join(''));
    return parts;
  }),
  '_strindices/1': fn((v, s) => {
    const text = requireString(v, 'cannot be searched');
    const sub = requireString(s, 'cannot be searched for');
    if (sub === '') return null;
    const bytes = Buffer.from(text, 'utf8');
    const needle = Buffer.from(sub, 'utf8');
    const found: number[] = [];
    for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) found.push(i);
    return found;
  }),
  'test/2': fn((v, re, flags) => matches(v, re, flags).length > 0),
  'match/2': (e, v, p, args, out) => withArgs(e, v, args, ([re, flags]) => {
    for (const m of matches(v, re!, flags!)) emitValue(m, p, out);
  }),
  'sub/3': (e, v, p, args, out) => withArgs(e, v, [args[0]!, args[2]!], ([re, flags]) => {
    const s = requireString(v, 'cannot be matched, as it is not a string');
    const found = matches(s, re!, flags!) as JsonObject[];
    const chars = [...s];
    let result = '';
    let at = 0;
    for (const m of found) {
      let replacement = null as Json;
      const stop = {};
      try {
        e.values(args[1]!.node, captureObject(m), args[1]!.env, (x) => {
          replacement = x;
          throw stop;
        });
      } catch (error) {
        if (error !== stop) throw error;
      }
      if (typeof replacement !== 'string') fail(`${describe(replacement)} cannot be added to a string`);
      result += chars.slice(at, m.offset as number).join('') + String(replacement);
      at = (m.offset as number) + (m.length as number);
    }
    emitValue(result + chars.slice(at).join(''), p, out);
  }),
  'not/0': fn((v) => !truthy(v)),
  'range/2': (e, v, p, args, out) => withArgs(e, v, args, ([from, to]) => {
    if (typeof from !== 'number' || typeof to !== 'number') fail('Range bounds must be numeric');
    for (let i = from as number; i < (to as number); i++) {
      spend(1);
      emitValue(i, p, out);
    }
  }),
  'range/3': (e, v, p, args, out) => withArgs(e, v, args, ([from, to, by]) => {
    if (typeof from !== 'number' || typeof to !== 'number' || typeof by !== 'number') fail('Range bounds must be numeric');
    const step = by as number;
    const emit = (i: number): void => {
      spend(1);
      emitValue(i, p, out);
    };
    if (step > 0) for (let i = from as number; i < (to as number); i += step) emit(i);
    else if (step < 0) for (let i = from as number; i > (to as number); i += step) emit(i);
    else if ((from as number) < (to as number)) for (;;) emit(from as number);
  }),
  'floor/0': math1(Math.floor),
  'ceil/0': math1(Math.ceil),
  'round/0': math1((x) => (x < 0 ? -Math.round(-x) : Math.round(x))),
  'sqrt/0': math1(Math.sqrt),
  'fabs/0': math1(Math.abs),
  'log/0': math1(Math.log),
  'log10/0': math1(Math.log10),
  'log2/0': math1(Math.log2),
  'exp/0': math1(Math.exp),
  'exp10/0': math1((x) => 10 ** x),
  'trunc/0': math1(Math.trunc),
  'significand/0': math1((x) => (x === 0 ? 0 : x / 2 ** Math.floor(Math.log2(Math.abs(x))))),
  'pow/2': fn((_v, a, b) => (typeof a === 'number' && typeof b === 'number' ? a ** b : fail('pow requires numbers'))),
  'log/2': fn((_v, a, b) => Math.log(a as number) / Math.log(b as number)),
  'infinite/0': fn(() => Infinity),
  'nan/0': fn(() => NaN),
  'isinfinite/0': fn((v) => (typeof v === 'number' ? !Number.isFinite(v) && !Number.isNaN(v) : fail(`${describe(v)} number required`))),
  'isnan/0': fn((v) => (typeof v === 'number' ? Number.isNaN(v) : fail(`${describe(v)} number required`))),
  'isnormal/0': fn((v) => (typeof v === 'number' ? Number.isFinite(v) && v !== 0 && Math.abs(v) >= 2.2250738585072014e-308 : fail(`${describe(v)} number required`))),
  'sort/0': fn((v) => (Array.isArray(v) && spend(v.length * 4) === undefined ? [...v].sort(compare) : fail(`${describe(v)} cannot be sorted, as it is not an array`))),
  '_sort_by/1': fn((v, k) => sortByKeys(v, k).map((x) => x.item)),
  '_group_by/1': fn((v, k) => {
    const groups: Json[][] = [];
    let last: Json | undefined;
    for (const { item, key } of sortByKeys(v, k)) {
      if (last !== undefined && equal(last, key)) groups.at(-1)!.push(item);
      else groups.push([item]);
      last = key;
    }
    return groups;
  }),
  '_unique_by/1': fn((v, k) => {
    const out: Json[] = [];
    let last: Json | undefined;
    for (const { item, key } of sortByKeys(v, k)) {
      if (last === undefined || !equal(last, key)) out.push(item);
      last = key;
    }
    return out;
  }),
  '_min_by/1': fn((v, k) => {
    const sorted = sortByKeys(v, k);
    return sorted[0]?.item ?? null;
  }),
  '_max_by/1': fn((v, k) => {
    // jq keeps the last of equal maxima.
    const sorted = sortByKeys(v, k);
    return sorted.at(-1)?.item ?? null;
  }),
  'min/0': fn((v) => (Array.isArray(v) ? ([...v].sort(compare)[0] ?? null) : fail(`${describe(v)} cannot be sorted, as it is not an array`))),
  'max/0': fn((v) => (Array.isArray(v) ? ([...v].sort(compare).at(-1) ?? null) : fail(`${describe(v)} cannot be sorted, as it is not an array`))),
  'input/0': (e, _v, p, _args, out) => {
    const next = e.rt.nextInput();
    if (next === undefined) fail('No more inputs');
    emitValue(next!, p, out);
  },
  'debug/0': (e, v, p, _args, out) => {
    e.rt.stderr.push(`["DEBUG:",${dump(v)}]\n`);
    out(v, p);
  },
  'stderr/0': (e, v, p, _args, out) => {
    e.rt.stderr.push(dump(v));
    out(v, p);
  },
  'input_filename/0': fn(() => null),
  'input_line_number/0': fn(() => 0),
  'now/0': (e, _v, p, _args, out) => emitValue(e.rt.now, p, out),
  'mktime/0': fn(mktime),
  'gmtime/0': fn(gmtime),
  'localtime/0': fn(gmtime),
  'strftime/1': fn(strftime),
  'strflocaltime/1': fn(strftime),
  'strptime/1': fn(strptime),
  'ascii_downcase/0': fn((v) => (typeof v === 'string' ? v : fail('explode input must be a string')).replace(/[A-Z]+/g, (c) => c.toLowerCase())),
  'ascii_upcase/0': fn((v) => (typeof v === 'string' ? v : fail('explode input must be a string')).replace(/[a-z]+/g, (c) => c.toUpperCase())),
  'halt_error/1': fn((v) => fail(typeof v === 'string' ? v : dump(v))),
};

/** JSON text to a value, with jq's message for what does not parse. */
export function parseJsonText(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return fail(`${jsonError(text)} (while parsing '${text}')`);
  }
}

/** The scope every program starts in: jq's library, where each definition sees all the others. */
export const BUILTIN_ENV: Env = parseDefs(LIBRARY).reduce<Env | undefined>((env, def) => bindDef(env, def), undefined)!;
for (let e: Env | undefined = BUILTIN_ENV; e; e = e.parent) e.def!.env = BUILTIN_ENV;

/** Names (`name/arity`) a program may call without defining them. */
export const BUILTIN_NAMES = new Set<string>([...Object.keys(NATIVES)]);
for (let e: Env | undefined = BUILTIN_ENV; e; e = e.parent) BUILTIN_NAMES.add(e.name);
