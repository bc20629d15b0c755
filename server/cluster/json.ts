// Reading the JSON the kinds kept as JSON hold (StoredObject.fields): a value as an object, or
// an empty one when it is missing or not an object. And comparing plain data as its JSON text
// would compare, without printing it: controllers ask "did this change?" every step.
import type { JsonValue } from './types.js';

export const jsonObject = (v: JsonValue | undefined): { [k: string]: JsonValue } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});

/** What JSON.stringify leaves out of an object (and prints as null in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';
/** What JSON.stringify prints as `null`. */
const printsNull = (v: unknown): boolean => v === null || (typeof v === 'number' && !Number.isFinite(v));

/**
 * `JSON.stringify(a) === JSON.stringify(b)` for plain data (no toJSON, no cycles), key order
 * included, without building either text: several times cheaper on a pod's status.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return printsNull(a) && printsNull(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i];
      const y: unknown = b[i];
      if (!sameJson(omitted(x) ? null : x, omitted(y) ? null : y)) return false;
    }
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const ky = Object.keys(y);
  // The usual case: the same keys in the same order, the same ones left out of the text.
  let n = 0;
  for (const k in x) {
    if (k !== ky[n]) return sameKeysSlow(x, y, ky);
    const u = x[k];
    const v = y[k];
    const ou = omitted(u);
    if (ou !== omitted(v)) return sameKeysSlow(x, y, ky);
    if (!ou && !sameJson(u, v)) return false;
    n++;
  }
  return n === ky.length || sameKeysSlow(x, y, ky);
}

/** sameJson of two objects whose keys differ in order or include values JSON leaves out. */
function sameKeysSlow(x: Record<string, unknown>, y: Record<string, unknown>, ky: string[]): boolean {
  const kx = Object.keys(x);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < kx.length && omitted(x[kx[i]!])) i++;
    while (j < ky.length && omitted(y[ky[j]!])) j++;
    if (i === kx.length || j === ky.length) return i === kx.length && j === ky.length;
    if (kx[i] !== ky[j] || !sameJson(x[kx[i]!], y[ky[j]!])) return false;
    i++;
    j++;
  }
}

/** A deep copy of plain data, keys in the same order: a snapshot to compare with sameJson after changes made in place. */
export function jsonCopy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(jsonCopy) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = jsonCopy((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * The simulation's own ceilings on what one written object may hold, below etcd's 1.5 MiB:
 * building, merging and printing an object costs a few µs per map key or list item, so an
 * object of 20,000 keys took ~0.2 s to read and ~1 s to apply, and a listing of ten of them
 * blocked every room for 1.5 s. Real objects stay far below: a ConfigMap of a few dozen keys, a
 * CustomResourceDefinition's schema of a few thousand values.
 */
export const MAX_OBJECT_ENTRIES = 1000;
export const MAX_OBJECT_VALUES = 10_000;

/** What refuses a value: nested deeper than `maxDepth`, a map or list past MAX_OBJECT_ENTRIES, more than MAX_OBJECT_VALUES in all. */
export type JsonExcess = { kind: 'depth' } | { kind: 'entries'; count: number } | { kind: 'values' };

/** Walks `value` (without recursion) and stops at the first ceiling it passes; undefined: within them. */
export function jsonExcess(value: unknown, maxDepth: number): JsonExcess | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  // Counted as they are found, so the walk stops after at most MAX_OBJECT_VALUES of them.
  let values = 1;
  while (stack.length > 0) {
    const [at, depth] = stack.pop()!;
    if (at === null || typeof at !== 'object') continue;
    if (depth > maxDepth) return { kind: 'depth' };
    const children = Array.isArray(at) ? at : Object.values(at);
    if (children.length > MAX_OBJECT_ENTRIES) return { kind: 'entries', count: children.length };
    values += children.length;
    if (values > MAX_OBJECT_VALUES) return { kind: 'values' };
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Top-level fields the simulation keeps beside a stored object's API form (a node's host, a pod's container behaviour, a parsed copy of a template…). */
const SIMULATION_ONLY = new Set(['host', 'behavior', 'static', 'schedule', 'template', 'recommendations']);

/**
 * The ceiling a stored object passes, counting its API form: managedFields, bounded on their
 * own (cluster/managed-fields.ts), and the simulation's fields are left out.
 */
export function objectExcess(obj: object): Exclude<JsonExcess, { kind: 'depth' }> | undefined {
  const parts: unknown[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (SIMULATION_ONLY.has(key)) continue;
    if (key !== 'metadata' || value === null || typeof value !== 'object') parts.push(value);
    else parts.push(Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'managedFields')));
  }
  return jsonExcess(parts, Number.POSITIVE_INFINITY) as Exclude<JsonExcess, { kind: 'depth' }> | undefined;
}

/** The refusal of an excess as a sentence (after "the object …"). */
export const excessMessage = (excess: Exclude<JsonExcess, { kind: 'depth' }>): string =>
  excess.kind === 'entries'
    ? `holds a map or list of ${excess.count} entries; the simulated cluster stores at most ${MAX_OBJECT_ENTRIES} in one`
    : `holds more than ${MAX_OBJECT_VALUES} values; the simulated cluster stores at most that many in one object`;

/** The ceiling a manifest or a patch passes (the YAML parser bounded its depth), as a sentence after "the object"; undefined: within them. */
export function sizeExcess(value: unknown): string | undefined {
  const excess = jsonExcess(value, Number.POSITIVE_INFINITY);
  return excess && excess.kind !== 'depth' ? excessMessage(excess) : undefined;
}
