// The content hash kustomize v5.0.4 (kubectl v1.29) appends to generated ConfigMaps and
// Secrets (sigs.k8s.io/kustomize/api/hasher). Its encodeConfigMap/encodeSecret look the name up
// with yaml.Lookup("metadata/name"), which reads one field literally named so: the name is
// always "" in the hashed JSON, which is why krusty's expected names (blah-bob-db529cg5bk,
// o1-cm-ft9mmdc8c6) depend on the data alone.
import { createHash } from 'node:crypto';
import type { Json } from '../manifest.js';
import type { JsonObject } from '../manifest-fields.js';

const isObject = (v: Json | undefined): v is JsonObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** Go's encoding/json: map keys sorted, and <, >, &, U+2028/2029 escaped as HTMLEscape does. */
export function goJson(value: Json): string {
  const sorted = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted(v[k]!);
    return out;
  };
  return JSON.stringify(sorted(value))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // Go 1.21 (kubectl v1.29's) writes \b and \f as \u0008 and \u000c.
    .replace(/(?<!\\)((?:\\\\)*)\\([bf])/g, (_m, lead: string, c: string) => `${lead}\\u000${c === 'b' ? '8' : 'c'}`);
}

/** hasher.encode: the first 10 hex digits of the SHA-256, with 0 1 3 a e spelled g h k m t. */
function encode(hex: string): string {
  const swap: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => swap[c]!);
}

/** A field's value as getNodeValues gives it: "" when absent. */
const field = (obj: JsonObject, key: string): Json => (obj[key] === undefined || obj[key] === null ? '' : obj[key]!);

/** The suffix of a generated ConfigMap or Secret. */
export function kustomizeHash(obj: JsonObject): string {
  const m: JsonObject = obj.kind === 'Secret'
    ? { kind: 'Secret', type: field(obj, 'type'), name: '', data: field(obj, 'data') }
    : { kind: 'ConfigMap', name: '', data: field(obj, 'data') };
  const extra = obj.kind === 'Secret' ? 'stringData' : 'binaryData';
  if (isObject(obj[extra])) m[extra] = obj[extra]!;
  return encode(createHash('sha256').update(goJson(m)).digest('hex'));
}
