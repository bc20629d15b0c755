// Reading one field of a manifest the way the apiserver decodes it: the expected JSON type
// (`spec.replicas in body must be of type integer: "string"`), unknown fields collected for
// strict decoding, enum values, and the Go renderings its messages use.
import type { Json } from './manifest.js';

export type JsonObject = { [key: string]: Json };

/** What decoding a manifest found wrong so far, in the apiserver's words. */
export interface Findings {
  /** Field paths nobody knows: `spec.foo`, for `strict decoding error: unknown field "spec.foo"`. */
  unknown: string[];
  /** Values that cannot be decoded at all (quantities), a BadRequest. */
  decode: string[];
  /** Field errors of an Invalid response: `spec.replicas: Required value`. */
  causes: string[];
}

export const newFindings = (): Findings => ({ unknown: [], decode: [], causes: [] });

export const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function wrongType(f: Findings, path: string, v: Json, want: string): undefined {
  f.causes.push(`${path}: Invalid value: ${JSON.stringify(v)}: ${path} in body must be of type ${want}: "${typeName(v)}"`);
  return undefined;
}

/** An object field; records keys outside `known` as unknown. Absent or null → undefined. */
export function readObject(f: Findings, v: Json | undefined, path: string, known: readonly string[] | 'any'): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return wrongType(f, path, v, 'object');
  if (known !== 'any') for (const key of Object.keys(v)) if (!known.includes(key)) f.unknown.push(child(path, key));
  return v;
}

export function readString(f: Findings, v: Json | undefined, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : wrongType(f, path, v, 'string');
}

export function readInt(f: Findings, v: Json | undefined, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isInteger(v) ? v : wrongType(f, path, v, 'integer');
}

export function readBool(f: Findings, v: Json | undefined, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'boolean' ? v : wrongType(f, path, v, 'boolean');
}

export function readIntOrString(f: Findings, v: Json | undefined, path: string): number | string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? v : wrongType(f, path, v, 'integer or string');
}

/** An array field, each element given its indexed path; absent or null → []. */
export function readArray(f: Findings, v: Json | undefined, path: string): { value: Json; path: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return wrongType(f, path, v, 'array') ?? [];
  return v.map((value, i) => ({ value, path: `${path}[${i}]` }));
}

export function readStringList(f: Findings, v: Json | undefined, path: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return readArray(f, v, path).map((e) => readString(f, e.value, e.path)).filter((s) => s !== undefined);
}

/** A map of strings (labels, nodeSelector, ConfigMap data); absent or null → {}. */
export function readStringMap(f: Findings, v: Json | undefined, path: string): Record<string, string> {
  const o = readObject(f, v, path, 'any');
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(o ?? {})) {
    const s = readString(f, value, `${path}.${k}`);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** An enum field: absent → `fallback`; a value outside `values` → `Unsupported value`. */
export function readEnum<T extends string>(f: Findings, v: Json | undefined, path: string, values: readonly T[], fallback: T): T;
export function readEnum<T extends string>(f: Findings, v: Json | undefined, path: string, values: readonly T[]): T | undefined;
export function readEnum<T extends string>(f: Findings, v: Json | undefined, path: string, values: readonly T[], fallback?: T): T | undefined {
  const s = readString(f, v, path);
  if (s === undefined || s === '') return fallback;
  if ((values as readonly string[]).includes(s)) return s as T;
  f.causes.push(`${path}: Unsupported value: "${s}": supported values: ${values.map((x) => `"${x}"`).join(', ')}`);
  return fallback;
}

/** Go's `%#v` of a map[string]string: `map[string]string{"app":"web"}` (keys sorted). */
export function goStringMap(m: Record<string, string>): string {
  const entries = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}
