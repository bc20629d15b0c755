// Shell variables as bash keeps them: scalars (session.vars), indexed arrays
// (session.arrays) and associative arrays (session.assoc); `$a` is `${a[0]}`, `a=x` sets
// element 0 of an array. Login environment values show through until set.
import { ansiCQuote } from './bytes.js';
import { assignVar, baseEnv, own, setOwn, unsetVar as unsetScalar } from './session.js';
import type { ShellSession } from './types.js';

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Most elements one array may hold (`a+=(…)` in a loop must not grow without bound). */
export const MAX_ARRAY_LENGTH = 100_000;

/** Most elements all of a session's arrays hold together, and their characters (kept in the room's state). */
export const MAX_ARRAY_ELEMENTS = 10_000;
export const MAX_ARRAY_CHARS = 1024 * 1024;

/**
 * Why `count` more elements of `chars` characters (replacing `name`'s elements when `replacing`)
 * would not fit, or undefined. Counted afresh: the caps keep the count small.
 */
function arrayRoomError(session: ShellSession, name: string, count: number, chars: number, replacing: boolean): string | undefined {
  let elements = count;
  let size = chars;
  const add = (arrayName: string, values: Iterable<string | undefined>): void => {
    if (replacing && arrayName === name) return;
    for (const v of values) {
      if (v === undefined) continue;
      elements++;
      size += v.length;
    }
  };
  for (const [n, a] of Object.entries(session.arrays ?? {})) add(n, a);
  for (const [n, m] of Object.entries(session.assoc ?? {})) add(n, Object.values(m));
  if (elements > MAX_ARRAY_ELEMENTS) return `bash: ${name}: cannot assign: arrays hold at most ${MAX_ARRAY_ELEMENTS} elements in a session\n`;
  if (size > MAX_ARRAY_CHARS) return `bash: ${name}: cannot assign: arrays would hold more than ${MAX_ARRAY_CHARS} characters\n`;
  return undefined;
}

/** A scalar's value, element 0 of an array, or undefined when unset. */
export function getVar(session: ShellSession, name: string): string | undefined {
  if (Object.hasOwn(session.vars, name)) return session.vars[name];
  const array = own(session.arrays, name);
  if (array) return array[0];
  const assoc = own(session.assoc, name);
  if (assoc) return own(assoc, '0');
  const env = baseEnv(session);
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Sets a scalar (or element 0), or says why not (a session's variables are bounded: assignVar). */
export function setVar(session: ShellSession, name: string, value: string): string | undefined {
  if (own(session.arrays, name) || own(session.assoc, name)) return setElement(session, name, '0', value);
  return assignVar(session, name, value);
}

export function unsetVar(session: ShellSession, name: string): void {
  unsetScalar(session, name);
  if (session.integers) delete session.integers[name];
  if (session.arrays) delete session.arrays[name];
  if (session.assoc) delete session.assoc[name];
}

export function isAssoc(session: ShellSession, name: string): boolean {
  return own(session.assoc, name) !== undefined;
}

/** The elements of an array (a scalar is an array of one), or undefined when unset. */
export function getElements(session: ShellSession, name: string): { keys: string[]; values: string[] } | undefined {
  const array = own(session.arrays, name);
  if (array) {
    const keys = Object.keys(array).filter((k) => array[Number(k)] !== undefined);
    return { keys, values: keys.map((k) => array[Number(k)]!) };
  }
  const assoc = own(session.assoc, name);
  if (assoc) return { keys: Object.keys(assoc), values: Object.values(assoc) };
  const scalar = getVar(session, name);
  return scalar === undefined ? undefined : { keys: ['0'], values: [scalar] };
}

/** `a=(…)`: sets the whole array, or says why not (a session's arrays are bounded). */
export function setArray(session: ShellSession, name: string, values: string[]): string | undefined {
  const kept = values.slice(0, MAX_ARRAY_LENGTH);
  const refused = arrayRoomError(session, name, kept.length, kept.reduce((n, v) => n + v.length, 0), true);
  if (refused) return refused;
  if (own(session.assoc, name)) {
    setOwn(session.assoc!, name, Object.fromEntries(kept.map((v, i) => [String(i), v])));
    return undefined;
  }
  unsetScalar(session, name);
  setOwn((session.arrays ??= {}), name, kept);
  return undefined;
}

/** `a[i]=v` (a negative index counts from the end), `m[key]=v` for an associative array. */
export function setElement(session: ShellSession, name: string, key: string, value: string): string | undefined {
  const old = own(session.arrays, name) || own(session.assoc, name) ? getElement(session, name, key) : undefined;
  const refused = arrayRoomError(session, name, old === undefined ? 1 : 0, value.length - (old?.length ?? 0), false);
  if (refused) return refused;
  const assoc = own(session.assoc, name);
  if (assoc) {
    setOwn(assoc, key, value);
    return undefined;
  }
  let array = own(session.arrays, name);
  if (!array) {
    const scalar = own(session.vars, name);
    array = scalar === undefined ? [] : [scalar];
    unsetScalar(session, name);
    setOwn((session.arrays ??= {}), name, array);
  }
  let index = Number(key);
  if (index < 0) index += array.length;
  if (index < 0) return `bash: ${name}[${key}]: bad array subscript\n`;
  if (index >= MAX_ARRAY_LENGTH) return `bash: ${name}[${key}]: array too large\n`;
  array[index] = value;
  return undefined;
}

export function getElement(session: ShellSession, name: string, key: string): string | undefined {
  const assoc = own(session.assoc, name);
  if (assoc) return own(assoc, key);
  const array = own(session.arrays, name);
  let index = Number(key);
  if (!array) return index === 0 ? getVar(session, name) : undefined;
  if (index < 0) index += array.length;
  return array[index];
}

/** A value as `declare -p` writes it: double-quoted, or `$'…'` when it has control characters. */
function declareQuote(value: string): string {
  return /[\x00-\x1f\x7f]/.test(value) ? ansiCQuote(value) : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/**
 * `declare -p NAME`'s line, as `export -p` writes it too: the attributes (arrays, -i, -x, which
 * the login environment's variables have), then the value — none for a name only marked
 * (`export X`, `declare -i N`) — or undefined when there is no such variable. `environment`:
 * what a command is given (`export -p`), its `VAR=x` prefixes included.
 */
export function declareLine(session: ShellSession, name: string, environment?: Record<string, string>): string | undefined {
  const assoc = own(session.assoc, name) !== undefined;
  const elements = assoc || own(session.arrays, name) !== undefined ? getElements(session, name) : undefined;
  const exported = own(session.exported, name) === true || Object.hasOwn(environment ?? baseEnv(session), name);
  const flags = `${assoc ? 'A' : elements ? 'a' : ''}${own(session.integers, name) ? 'i' : ''}${exported ? 'x' : ''}`;
  const head = `declare -${flags || '-'} ${name}`;
  if (elements) {
    const items = elements.keys.map((k, i) => `[${k}]=${declareQuote(elements.values[i]!)}`).join(' ');
    // bash leaves a space before an associative array's `)`.
    return `${head}=(${items}${assoc && items ? ' ' : ''})\n`;
  }
  const value = getVar(session, name) ?? own(environment, name);
  if (value !== undefined) return `${head}=${declareQuote(value)}\n`;
  return flags ? `${head}\n` : undefined;
}
