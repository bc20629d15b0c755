// A tiny jq for `kubectl … -o json | jq …`: filters `.`, `.a.b`, `.["a"]`, `.[N]`, `.[]`, `?`,
// pipes `|`, `keys`, `length`, and `select(PATH == LITERAL)` / `!=`; options -r, -c.
// Anything else is refused with jq's compile error (exit 3) rather than a wrong answer.
import type { ShellCommand } from '../types.js';
import { parseOptions, readInputs } from './common.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = { kind: 'key'; name: string } | { kind: 'index'; n: number } | { kind: 'iterate' };
type Stage =
  | { kind: 'path'; steps: Step[] }
  | { kind: 'keys' | 'length' }
  | { kind: 'select'; path: Step[]; equal: boolean; value: Json };

class JqError {
  constructor(readonly message: string, readonly exitCode: number) {}
}

const compileError = (filter: string): JqError =>
  new JqError(`jq: error: syntax error, unexpected INVALID_CHARACTER (Unix shell quoting issues?) at <top-level>, line 1:\n${filter}\njq: 1 compile error\n`, 3);

function parsePath(text: string, filter: string): Step[] {
  const steps: Step[] = [];
  let rest = text.trim();
  if (!rest.startsWith('.')) throw compileError(filter);
  if (rest === '.') return steps;
  while (rest !== '') {
    let m: RegExpExecArray | null;
    if ((m = /^\.?\[\]\??/.exec(rest))) steps.push({ kind: 'iterate' });
    else if ((m = /^\.?\[(-?\d+)\]\??/.exec(rest))) steps.push({ kind: 'index', n: Number(m[1]) });
    else if ((m = /^\.?\["([^"]*)"\]\??/.exec(rest))) steps.push({ kind: 'key', name: m[1]! });
    else if ((m = /^\.([A-Za-z_][A-Za-z0-9_]*)\??/.exec(rest))) steps.push({ kind: 'key', name: m[1]! });
    else if ((m = /^\."([^"]*)"\??/.exec(rest))) steps.push({ kind: 'key', name: m[1]! });
    else throw compileError(filter);
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function splitPipes(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let current = '';
  for (const c of filter) {
    if (c === '"') inString = !inString;
    if (!inString && (c === '(' || c === '[')) depth++;
    if (!inString && (c === ')' || c === ']')) depth--;
    if (c === '|' && depth === 0 && !inString) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function parseFilter(filter: string): Stage[] {
  return splitPipes(filter).map((part) => {
    const text = part.trim();
    if (text === 'keys' || text === 'length') return { kind: text };
    const select = /^select\(\s*(\.[^=!]*?)\s*(==|!=)\s*(.+?)\s*\)$/.exec(text);
    if (select) {
      let value: Json;
      try {
        value = JSON.parse(select[3]!) as Json;
      } catch {
        throw compileError(filter);
      }
      return { kind: 'select', path: parsePath(select[1]!, filter), equal: select[2] === '==', value };
    }
    return { kind: 'path', steps: parsePath(text, filter) };
  });
}

const typeName = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);

function applyStep(value: Json, step: Step): Json[] {
  if (step.kind === 'iterate') {
    if (Array.isArray(value)) return value;
    if (value !== null && typeof value === 'object') return Object.values(value);
    throw new JqError(`jq: error (at <stdin>:0): Cannot iterate over ${typeName(value)}${value === null ? '' : ` (${JSON.stringify(value)})`}\n`, 5);
  }
  if (value === null) return [null];
  if (step.kind === 'index') {
    if (!Array.isArray(value)) throw new JqError(`jq: error (at <stdin>:0): Cannot index ${typeName(value)} with number\n`, 5);
    return [value.at(step.n) ?? null];
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new JqError(`jq: error (at <stdin>:0): Cannot index ${typeName(value)} with "${step.name}"\n`, 5);
  }
  return [value[step.name] ?? null];
}

function walk(value: Json, steps: Step[]): Json[] {
  return steps.reduce<Json[]>((values, step) => values.flatMap((v) => applyStep(v, step)), [value]);
}

function run(stage: Stage, value: Json): Json[] {
  switch (stage.kind) {
    case 'path': return walk(value, stage.steps);
    case 'keys':
      if (Array.isArray(value)) return [value.map((_, i) => i)];
      if (value !== null && typeof value === 'object') return [Object.keys(value).sort()];
      throw new JqError(`jq: error (at <stdin>:0): ${typeName(value)} (${JSON.stringify(value)}) has no keys\n`, 5);
    case 'length':
      if (value === null) return [0];
      if (typeof value === 'string' || Array.isArray(value)) return [value.length];
      if (typeof value === 'object') return [Object.keys(value).length];
      if (typeof value === 'number') return [Math.abs(value)];
      throw new JqError('jq: error (at <stdin>:0): boolean (true) has no length\n', 5);
    case 'select': {
      const found = walk(value, stage.path);
      const same = found.some((v) => JSON.stringify(v) === JSON.stringify(stage.value));
      return same === stage.equal ? [value] : [];
    }
  }
}

export const jq: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('jq', argv.slice(1), {
    flags: 'rcSMCej',
    long: { 'raw-output': { key: 'r', value: false }, 'compact-output': { key: 'c', value: false }, 'sort-keys': { key: 'S', value: false }, 'monochrome-output': { key: 'M', value: false }, 'color-output': { key: 'C', value: false } },
    usage: 'Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n',
    usageExit: 2,
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const [filter = '.', ...files] = o.operands;
  try {
    const stages = parseFilter(filter);
    const { inputs, errors } = readInputs(ctx, 'jq', files);
    if (errors) return { stdout: '', stderr: errors.replace(/^jq: /gm, 'jq: error: Could not open '), exitCode: 2 };
    const text = inputs.map((i) => i.text).join('');
    if (text.trim() === '') return { stdout: '', stderr: '', exitCode: 0 };
    let input: Json;
    try {
      input = JSON.parse(text) as Json;
    } catch {
      return { stdout: '', stderr: 'jq: error (at <stdin>:1): Cannot parse input: not valid JSON\n', exitCode: 2 };
    }
    const results = stages.reduce<Json[]>((values, stage) => values.flatMap((v) => run(stage, v)), [input]);
    const print = (v: Json): string => {
      if (o.has('r') && typeof v === 'string') return v;
      return o.has('c') ? JSON.stringify(v) : JSON.stringify(v, null, 2);
    };
    return { stdout: results.map((v) => `${print(v)}\n`).join(''), stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof JqError) return { stdout: '', stderr: error.message, exitCode: error.exitCode };
    throw error;
  }
};
