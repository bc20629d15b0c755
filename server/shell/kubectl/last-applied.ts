// kubectl's client-side apply record: the kubectl.kubernetes.io/last-applied-configuration
// annotation (k8s.io/kubectl pkg/util/apply.go GetModifiedConfiguration). `apply` writes it on
// every object it creates or patches, `create --save-config` on what it creates.
import { LAST_APPLIED } from './describe/writer.js';
import type { Json } from './manifest.js';
import type { JsonObject } from './manifest-fields.js';

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Go's byte order of UTF-8 strings (the order json.Marshal gives a map's keys). */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * encoding/json's Marshal of an unstructured object: map keys sorted, and `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as json.Marshal's HTML-safe default does.
 */
export function goJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort(byBytes).map((k) => `${goString(k)}:${goJson(value[k]!)}`).join(',')}}`;
  return typeof value === 'string' ? goString(value) : JSON.stringify(value);
}

const goString = (s: string): string => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The manifest with its annotation set to itself as kubectl records it: the object as kubectl
 * sends it (its namespace filled in, the annotation itself left out, `annotations: {}` when it
 * has none: SetAnnotations of an empty map), in compact JSON with the newline
 * UnstructuredJSONScheme's encoder ends it with.
 */
export function withLastApplied(manifest: JsonObject, namespace: string | undefined): JsonObject {
  const metadata: JsonObject = isObject(manifest.metadata) ? { ...manifest.metadata } : {};
  if (namespace !== undefined) metadata.namespace = namespace;
  const annotations: JsonObject = isObject(metadata.annotations) ? { ...metadata.annotations } : {};
  delete annotations[LAST_APPLIED];
  const recorded = goJson({ ...manifest, metadata: { ...metadata, annotations } });
  return { ...manifest, metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: `${recorded}\n` } } };
}

/** apply.go warningNoLastAppliedConfigAnnotation, for a live object apply did not create. */
export function missingAnnotationWarning(objectName: string): string {
  return `Warning: resource ${objectName} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`;
}

/** The object the annotation records, or undefined when there is none (or it is not JSON). */
function recordedIn(live: JsonObject): JsonObject | undefined {
  const annotations = isObject(live.metadata) && isObject(live.metadata.annotations) ? live.metadata.annotations : {};
  const text = annotations[LAST_APPLIED];
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = JSON.parse(text) as Json;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The string maps whose keys apply merges one by one; the rest of a manifest replaces what it describes (from-manifest.ts). */
const MERGED_MAPS: readonly (readonly string[])[] = [['metadata', 'labels'], ['metadata', 'annotations'], ['data'], ['binaryData']];

const at = (doc: JsonObject | undefined, path: readonly string[]): JsonObject | undefined => {
  let v: Json | undefined = doc;
  for (const key of path) v = isObject(v) ? v[key] : undefined;
  return isObject(v) ? v : undefined;
};

/**
 * strategicpatch.CreateThreeWayMergePatch, on maps: a key of the live object that neither the
 * manifest nor the last applied one has stays (another writer's: `kubectl label`, `kubectl
 * scale`, the fields the cluster filled in: a PVC's volumeName), one the last applied had and
 * the manifest lost goes, and a whole map the last applied had and the manifest lacks goes
 * (`labels: null`); with no record nothing is deleted. Lists are the manifest's (strategic
 * merge by key is not modelled: what a list's items lack, defaults fill in again). Status and
 * the server's metadata are not the manifest's to carry.
 */
export function mergedWithLive(manifest: JsonObject, live: JsonObject): JsonObject {
  const original = recordedIn(live);
  const out: JsonObject = { ...manifest, ...(isObject(manifest.metadata) ? { metadata: { ...manifest.metadata } } : {}) };
  for (const path of MERGED_MAPS) {
    const current = at(live, path);
    if (!current) continue;
    const parent = path.length === 1 ? out : isObject(out.metadata) ? out.metadata : (out.metadata = {});
    const key = path.at(-1)!;
    const modified = at(manifest, path);
    const before = at(original, path);
    if (!modified) {
      if (!before) parent[key] = current;
      continue;
    }
    const kept = Object.entries(current).filter(([k]) => !(k in modified) && !(before && k in before));
    if (kept.length > 0) parent[key] = { ...modified, ...Object.fromEntries(kept) };
  }
  for (const [key, current] of Object.entries(live)) {
    if (NOT_APPLIED.has(key) || MERGED_MAPS.some((path) => path.length === 1 && path[0] === key)) continue;
    const modified = manifest[key];
    if (modified === undefined) {
      if (!(original && key in original)) out[key] = current;
    } else if (isObject(modified) && isObject(current)) {
      out[key] = threeWay(modified, current, isObject(original?.[key]) ? original[key] : undefined);
    }
  }
  return out;
}

/** Top-level fields apply leaves to the server (metadata is merged above, by its maps). */
const NOT_APPLIED = new Set(['apiVersion', 'kind', 'metadata', 'status']);

function threeWay(modified: JsonObject, current: JsonObject, original: JsonObject | undefined): JsonObject {
  const out: JsonObject = { ...modified };
  for (const [key, value] of Object.entries(current)) {
    const wanted = modified[key];
    if (wanted !== undefined) {
      if (isObject(wanted) && isObject(value)) out[key] = threeWay(wanted, value, isObject(original?.[key]) ? original[key] : undefined);
    } else if (!(original && key in original)) {
      out[key] = value;
    }
  }
  return out;
}
