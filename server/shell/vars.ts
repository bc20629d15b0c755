// Shell variables as bash keeps them: scalars (session.vars), indexed arrays
// (session.arrays) and associative arrays (session.assoc); `$a` is `${a[0]}`, `a=x` sets
// element 0 of an array. Login environment values show through until set.
import { assignVar, baseEnv, unsetVar as unsetScalar } from './session.js';
import type { ShellSession } from './types.js';

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Most elements one array may hold (`a+=(…)` in a loop must not grow without bound). */
export const MAX_ARRAY_LENGTH = 100_000;

/** A scalar's value, element 0 of an array, or undefined when unset. */
export function getVar(session: ShellSession, name: string): string | undefined {
  if (Object.hasOwn(session.vars, name)) return session.vars[name];
  const array = session.arrays?.[name];
  if (array) return array[0];
  const assoc = session.assoc?.[name];
  if (assoc) return assoc['0'];
  const env = baseEnv(session);
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Sets a scalar (or element 0), or says why not (a session's variables are bounded: assignVar). */
export function setVar(session: ShellSession, name: string, value: string): string | undefined {
  const array = session.arrays?.[name];
  if (array) array[0] = value;
  else if (session.assoc?.[name]) session.assoc[name]['0'] = value;
  else return assignVar(session, name, value);
  return undefined;
}

export function unsetVar(session: ShellSession, name: string): void {
  unsetScalar(session, name);
  if (session.arrays) delete session.arrays[name];
  if (session.assoc) delete session.assoc[name];
}

export function isAssoc(session: ShellSession, name: string): boolean {
  return session.assoc?.[name] !== undefined;
}

/** The elements of an array (a scalar is an array of one), or undefined when unset. */
export function getElements(session: ShellSession, name: string): { keys: string[]; values: string[] } | undefined {
  const array = session.arrays?.[name];
  if (array) {
    const keys = Object.keys(array).filter((k) => array[Number(k)] !== undefined);
    return { keys, values: keys.map((k) => array[Number(k)]!) };
  }
  const assoc = session.assoc?.[name];
  if (assoc) return { keys: Object.keys(assoc), values: Object.values(assoc) };
  const scalar = getVar(session, name);
  return scalar === undefined ? undefined : { keys: ['0'], values: [scalar] };
}

export function setArray(session: ShellSession, name: string, values: string[]): void {
  if (session.assoc?.[name]) {
    session.assoc[name] = Object.fromEntries(values.map((v, i) => [String(i), v]));
    return;
  }
  unsetScalar(session, name);
  (session.arrays ??= {})[name] = values.slice(0, MAX_ARRAY_LENGTH);
}

/** `a[i]=v` (a negative index counts from the end), `m[key]=v` for an associative array. */
export function setElement(session: ShellSession, name: string, key: string, value: string): string | undefined {
  const assoc = session.assoc?.[name];
  if (assoc) {
    assoc[key] = value;
    return undefined;
  }
  let array = session.arrays?.[name];
  if (!array) {
    const scalar = session.vars[name];
    array = scalar === undefined ? [] : [scalar];
    unsetScalar(session, name);
    (session.arrays ??= {})[name] = array;
  }
  let index = Number(key);
  if (index < 0) index += array.length;
  if (index < 0) return `bash: ${name}[${key}]: bad array subscript\n`;
  if (index >= MAX_ARRAY_LENGTH) return `bash: ${name}[${key}]: array too large\n`;
  array[index] = value;
  return undefined;
}

export function getElement(session: ShellSession, name: string, key: string): string | undefined {
  const assoc = session.assoc?.[name];
  if (assoc) return Object.hasOwn(assoc, key) ? assoc[key] : undefined;
  const array = session.arrays?.[name];
  let index = Number(key);
  if (!array) return index === 0 ? getVar(session, name) : undefined;
  if (index < 0) index += array.length;
  return array[index];
}
