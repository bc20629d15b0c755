// Shell variables as bash keeps them: scalars (session.vars), indexed arrays
// (session.arrays) and associative arrays (session.assoc); `$a` is `${a[0]}`, `a=x` sets
// element 0 of an array. Login environment values show through until set.
import { ansiCQuote } from './bytes.js';
import { assignVar, baseEnv, own, setOwn, unsetVar as unsetScalar } from './session.js';
import { MAX_VARIABLES } from './limits.js';
import type { ShellSession } from './types.js';

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Most elements one array may hold (`a+=(…)` in a loop must not grow without bound). */
export const MAX_ARRAY_LENGTH = 100_000;

/** Most elements all of a session's arrays hold together, and their characters (kept in the room's state). */
export const MAX_ARRAY_ELEMENTS = 10_000;
export const MAX_ARRAY_CHARS = 1024 * 1024;

/** How many arrays a session's `arrays` (or `assoc`) holds, their elements and their characters. */
interface Usage {
  arrays: number;
  elements: number;
  chars: number;
}

// Kept by the functions here as arrays change. Counted afresh, every assignment walked every
// element of every array (14,000 `let a[i]=1` beside 10,000 elements held the process 1.4 s,
// `declare -a` of 5,000 names 4 s) and walked a sparse array slot by slot (300 arrays of
// `a[99999]=1` and one assignment took 3 minutes). A holder made some other way (a copy, a
// loaded session, another shell's) is counted when first seen, by its elements, not its slots.
const usages = new WeakMap<object, Usage>();

/** The elements of one array and their characters: its own values, never its empty slots. */
function measure(values: string[] | Record<string, string>): { elements: number; chars: number } {
  let elements = 0;
  let chars = 0;
  for (const v of Object.values(values)) {
    if (v === undefined) continue;
    elements++;
    chars += v.length;
  }
  return { elements, chars };
}

function usageOf(holder: Record<string, string[] | Record<string, string>> | undefined): Usage {
  if (!holder) return { arrays: 0, elements: 0, chars: 0 };
  let usage = usages.get(holder);
  if (!usage) {
    usage = { arrays: 0, elements: 0, chars: 0 };
    for (const values of Object.values(holder)) {
      const { elements, chars } = measure(values);
      usage.arrays++;
      usage.elements += elements;
      usage.chars += chars;
    }
    usages.set(holder, usage);
  }
  return usage;
}

/** Counts a change the functions here made to `holder` (its usage was read before the change). */
function account(holder: object, arrays: number, elements: number, chars: number): void {
  const usage = usages.get(holder);
  if (!usage) return;
  usage.arrays += arrays;
  usage.elements += elements;
  usage.chars += chars;
}

/**
 * Why one more array (`newArray`) or `count` more elements of `chars` characters would not
 * fit, or undefined. Arrays are bounded in number too: empty ones cost nothing otherwise.
 */
function arrayRoomError(session: ShellSession, name: string, count: number, chars: number, newArray: boolean): string | undefined {
  const indexed = usageOf(session.arrays);
  const assoc = usageOf(session.assoc);
  if (newArray && indexed.arrays + assoc.arrays >= MAX_VARIABLES) return `bash: ${name}: cannot assign: a session holds at most ${MAX_VARIABLES} arrays\n`;
  // Only what grows is refused: an element replaced by one no longer fits when all are in use.
  if (count > 0 && indexed.elements + assoc.elements + count > MAX_ARRAY_ELEMENTS) return `bash: ${name}: cannot assign: arrays hold at most ${MAX_ARRAY_ELEMENTS} elements in a session\n`;
  if (chars > 0 && indexed.chars + assoc.chars + chars > MAX_ARRAY_CHARS) return `bash: ${name}: cannot assign: arrays would hold more than ${MAX_ARRAY_CHARS} characters\n`;
  return undefined;
}

/** Puts `values` (new, counted by the caller) in `holder` as `name`, taking out what was there. */
function place<T extends string[] | Record<string, string>>(holder: Record<string, T>, name: string, values: T, counted: { elements: number; chars: number }): void {
  usageOf(holder);
  const old = own(holder, name);
  const gone = old ? measure(old) : { elements: 0, chars: 0 };
  setOwn(holder, name, values);
  account(holder, old ? 0 : 1, counted.elements - gone.elements, counted.chars - gone.chars);
}

/** Takes `name` out of `holder`, counted. */
function remove(holder: Record<string, string[] | Record<string, string>> | undefined, name: string): void {
  const old = own(holder, name);
  if (!holder || !old) return;
  usageOf(holder);
  const { elements, chars } = measure(old);
  delete holder[name];
  account(holder, -1, -elements, -chars);
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
  remove(session.arrays, name);
  remove(session.assoc, name);
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
  const size = measure(kept);
  const old = own(session.arrays, name) ?? own(session.assoc, name);
  const gone = old ? measure(old) : { elements: 0, chars: 0 };
  const refused = arrayRoomError(session, name, size.elements - gone.elements, size.chars - gone.chars, !old);
  if (refused) return refused;
  if (own(session.assoc, name)) {
    place(session.assoc!, name, Object.fromEntries(kept.map((v, i) => [String(i), v])), size);
    return undefined;
  }
  unsetScalar(session, name);
  place((session.arrays ??= {}), name, kept, size);
  return undefined;
}

/** An array the shell itself sets (PIPESTATUS): always set, and counted like the player's. */
export function setShellArray(session: ShellSession, name: string, values: string[]): void {
  place((session.arrays ??= {}), name, values, measure(values));
}

/** `declare -A NAME` of a name that is no associative array yet, or why not. */
export function newAssoc(session: ShellSession, name: string): string | undefined {
  if (own(session.assoc, name)) return undefined;
  const refused = arrayRoomError(session, name, 0, 0, true);
  if (refused) return refused;
  place((session.assoc ??= {}), name, {}, { elements: 0, chars: 0 });
  return undefined;
}

/** `a[i]=v` (a negative index counts from the end), `m[key]=v` for an associative array. */
export function setElement(session: ShellSession, name: string, key: string, value: string): string | undefined {
  const exists = own(session.arrays, name) !== undefined || own(session.assoc, name) !== undefined;
  const old = exists ? getElement(session, name, key) : undefined;
  const added = old === undefined ? 1 : 0;
  const grown = value.length - (old?.length ?? 0);
  const refused = arrayRoomError(session, name, added, grown, !exists);
  if (refused) return refused;
  const assoc = own(session.assoc, name);
  if (assoc) {
    usageOf(session.assoc);
    setOwn(assoc, key, value);
    account(session.assoc!, 0, added, grown);
    return undefined;
  }
  let array = own(session.arrays, name);
  if (!array) {
    const scalar = own(session.vars, name);
    array = scalar === undefined ? [] : [scalar];
    unsetScalar(session, name);
    place((session.arrays ??= {}), name, array, measure(array));
  }
  let index = Number(key);
  if (index < 0) index += array.length;
  if (index < 0) return `bash: ${name}[${key}]: bad array subscript\n`;
  if (index >= MAX_ARRAY_LENGTH) return `bash: ${name}[${key}]: array too large\n`;
  const before = array[index];
  usageOf(session.arrays);
  array[index] = value;
  account(session.arrays!, 0, before === undefined ? 1 : 0, value.length - (before?.length ?? 0));
  return undefined;
}

/** Puts back the arrays a function's `local` hid, as they were. */
export function restoreArrays(session: ShellSession, name: string, array: string[] | undefined, assoc: Record<string, string> | undefined): void {
  if (array) place((session.arrays ??= {}), name, array, measure(array));
  if (assoc) place((session.assoc ??= {}), name, assoc, measure(assoc));
}

/** `unset 'a[i]'` / `unset 'm[key]'`. */
export function unsetElement(session: ShellSession, name: string, key: string): void {
  const array = own(session.arrays, name);
  const holder = array ? session.arrays! : session.assoc;
  const values = array ?? own(session.assoc, name);
  if (!holder || !values) return;
  const slot = array ? String(Number(key)) : key;
  const old = own(values as Record<string, string>, slot);
  if (old === undefined) return;
  usageOf(holder);
  delete (values as Record<string, string>)[slot];
  account(holder, 0, -1, -old.length);
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
