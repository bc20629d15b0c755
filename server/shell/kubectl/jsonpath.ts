// kubectl's JSONPath templates (`{.items[*].metadata.name}`, `{range .items[*]}…{end}`,
// filters `[?(@.type=="Ready")]`, literals `{"\n"}`), with missing keys allowed as `get` does.
import { OverBudget, type LineBudget } from '../budget.js';
import type { Json } from './manifest.js';

type Segment =
  | { kind: 'root' }
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'filter'; path: Segment[]; op?: string; value?: Json };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'path'; path: Segment[] }
  | { kind: 'range'; path: Segment[]; body: Node[] };

export type JsonPathResult = { ok: true; text: string } | { ok: false; error: string };

/**
 * The line budget of the evaluation under way: nested ranges multiply work, so every value
 * visited and every character printed is charged (evaluation is synchronous, one at a time).
 */
let running: LineBudget | undefined;

function charged<T>(budget: LineBudget | undefined, work: () => T): T {
  const outer = running;
  running = budget;
  try {
    return work();
  } finally {
    running = outer;
  }
}

/** Runs a template against `data`; values of one action are joined by spaces. */
export function executeJsonPath(template: string, data: Json, budget?: LineBudget, asJson = false): JsonPathResult {
  let nodes: Node[];
  try {
    nodes = parseTemplate(template);
  } catch (e) {
    return { ok: false, error: `error parsing jsonpath ${template}, ${(e as Error).message}` };
  }
  try {
    return charged(budget, () => ({ ok: true, text: render(nodes, data, data, asJson) }));
  } catch (e) {
    if (e instanceof OverBudget) throw e;
    return { ok: false, error: `error executing jsonpath ${JSON.stringify(template)}: ${(e as Error).message}` };
  }
}

/** Evaluates one path expression (`.status.phase`, `{.metadata.name}`) to its values. */
export function evaluatePath(expression: string, data: Json, budget?: LineBudget): Json[] | undefined {
  const inner = expression.trim().replace(/^\{(.*)\}$/s, '$1');
  let path: Segment[];
  try {
    path = parsePath(inner);
  } catch {
    return undefined;
  }
  try {
    return charged(budget, () => evaluate(path, data, data));
  } catch (e) {
    if (e instanceof OverBudget) throw e;
    return undefined;
  }
}

/**
 * How jsonpath prints one value (client-go util/jsonpath PrintResults): strings raw, maps and
 * lists as Go's json.Marshal writes them (keys sorted, `<>&` escaped), other scalars as text.
 */
export function jsonPathText(value: Json): string {
  const text = typeof value === 'string' ? value : goJson(value);
  running?.spend(text.length);
  return text;
}

/** Go's encoding/json of a decoded value: map keys sorted, `<`, `>`, `&`, U+2028/9 escaped; indented by `indent` if given. */
export function goJson(value: Json, indent = ''): string {
  const sorted = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k]!)]));
  };
  return JSON.stringify(sorted(value), null, indent)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * With `asJson` (`-o jsonpath-as-json`), each action's values are one JSON array, indented
 * by four spaces, on lines of its own (PrintResults with outputJSON).
 */
function render(nodes: Node[], root: Json, current: Json, asJson: boolean): string {
  let out = '';
  for (const node of nodes) {
    running?.spend(STEPS_PER_NODE);
    if (node.kind === 'range') for (const item of evaluate(node.path, root, current)) out += render(node.body, root, item, asJson);
    else {
      const values = node.kind === 'text' ? [node.text] : evaluate(node.path, root, current);
      out += asJson ? `${goJson(values, '    ')}\n` : node.kind === 'text' ? node.text : values.map(jsonPathText).join(' ');
    }
  }
  return out;
}

const STEPS_PER_NODE = 20;

function parseTemplate(template: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: { path: Segment[] }[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ kind: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    if (close < 0) throw new Error('unclosed action');
    const action = template.slice(open + 1, close).trim();
    i = close + 1;
    if (action.startsWith('range ')) {
      ranges.push({ path: parsePath(action.slice(6)) });
      stack.push([]);
    } else if (action === 'end') {
      const body = stack.pop();
      const range = ranges.pop();
      if (!body || !range || stack.length === 0) throw new Error('not in range, nothing to end');
      stack.at(-1)!.push({ kind: 'range', path: range.path, body });
    } else if (/^".*"$/s.test(action) || /^'.*'$/s.test(action)) {
      stack.at(-1)!.push({ kind: 'text', text: unescape(action.slice(1, -1)) });
    } else {
      stack.at(-1)!.push({ kind: 'path', path: parsePath(action) });
    }
  }
  if (stack.length !== 1) throw new Error('unclosed range');
  return stack[0]!;
}

/** Index of the `}` closing the action opened at `open`, skipping quoted strings. */
function findClose(s: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parsePath(expr: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const s = expr.trim();
  // `$` is the document even inside a range; `@` and a bare `.` are the current item.
  if (s[0] === '$') segments.push({ kind: 'root' });
  if (s[0] === '$' || s[0] === '@') i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.' && s[i + 1] === '.') {
      const m = /^[\w-]+/.exec(s.slice(i + 2));
      if (!m) throw new Error('invalid recursive descent');
      segments.push({ kind: 'recursive', name: m[0] });
      i += 2 + m[0].length;
    } else if (c === '.') {
      if (s[i + 1] === '*') {
        segments.push({ kind: 'wildcard' });
        i += 2;
        continue;
      }
      // A backslash takes the next character into the name (`.metadata.annotations.kubernetes\.io/x`), as client-go's parser does.
      const m = /^(?:\\.|[^.[\]\s\\])*/.exec(s.slice(i + 1))!;
      if (m[0] !== '') segments.push({ kind: 'field', name: m[0].replace(/\\(.)/g, '$1') });
      i += 1 + m[0].length;
    } else if (c === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) throw new Error('unclosed array expect ]');
      segments.push(parseBracket(s.slice(i + 1, close)));
      i = close + 1;
    } else {
      throw new Error(`unrecognized character in action: ${c}`);
    }
  }
  return segments;
}

function parseBracket(inner: string): Segment {
  const t = inner.trim();
  if (t === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(t)) return { kind: 'index', index: Number(t) };
  const slice = /^(-?\d*):(-?\d*)$/.exec(t);
  if (slice) {
    return { kind: 'slice', start: slice[1] ? Number(slice[1]) : undefined, end: slice[2] ? Number(slice[2]) : undefined };
  }
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(t);
  if (quoted) return { kind: 'field', name: quoted[1] ?? quoted[2]! };
  const filter = /^\?\((.*)\)$/s.exec(t);
  if (filter) {
    const cond = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(filter[1]!.trim());
    if (!cond) return { kind: 'filter', path: parsePath(filter[1]!) };
    const raw = cond[3]!.trim();
    const value: Json = /^['"].*['"]$/.test(raw) ? raw.slice(1, -1) : Number.isNaN(Number(raw)) ? raw : Number(raw);
    return { kind: 'filter', path: parsePath(cond[1]!), op: cond[2]!, value };
  }
  throw new Error(`invalid array index ${t}`);
}

function evaluate(path: Segment[], root: Json, current: Json): Json[] {
  let values: Json[] = [path[0]?.kind === 'root' ? root : current];
  for (const seg of path) {
    values = values.flatMap((v) => step(seg, v));
    running?.spend(STEPS_PER_NODE + values.length);
  }
  return values;
}

function step(seg: Segment, v: Json): Json[] {
  const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
  switch (seg.kind) {
    case 'root':
      return [v];
    case 'field':
      return isObject && Object.hasOwn(v, seg.name) ? [v[seg.name]!] : [];
    case 'wildcard':
      return Array.isArray(v) ? v : isObject ? Object.values(v) : [];
    case 'recursive':
      return recursive(seg.name, v);
    case 'index': {
      if (!Array.isArray(v)) return [];
      const item = v.at(seg.index);
      return item === undefined ? [] : [item];
    }
    case 'slice':
      return Array.isArray(v) ? v.slice(seg.start, seg.end) : [];
    case 'filter': {
      if (!Array.isArray(v)) return [];
      return v.filter((item) => {
        const found = evaluate(seg.path, item, item);
        if (seg.op === undefined) return found.length > 0;
        return found.some((f) => compare(f, seg.op!, seg.value!));
      });
    }
  }
}

/** What visiting one value in a `..` descent costs (measured: about three simple-loop characters). */
const STEPS_PER_DESCENT = 3;

/** `..name`: every `name` field at or under `v`, in document order, collected into `found` (no array per level). */
function recursive(name: string, v: Json, found: Json[] = []): Json[] {
  running?.spend(STEPS_PER_DESCENT);
  if (v === null || typeof v !== 'object') return found;
  if (Array.isArray(v)) {
    for (const child of v) recursive(name, child, found);
    return found;
  }
  if (Object.hasOwn(v, name)) found.push(v[name]!);
  for (const child of Object.values(v)) recursive(name, child, found);
  return found;
}

function compare(a: Json, op: string, b: Json): boolean {
  const x = typeof b === 'number' && typeof a === 'string' ? Number(a) : a;
  switch (op) {
    case '==': return x === b;
    case '!=': return x !== b;
    case '<': return (x as number) < (b as number);
    case '>': return (x as number) > (b as number);
    case '<=': return (x as number) <= (b as number);
    default: return (x as number) >= (b as number);
  }
}
