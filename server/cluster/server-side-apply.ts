// Server-side apply (PATCH application/apply-patch+yaml, `kubectl apply --server-side`), as
// the apiserver's fieldmanager and structured-merge-diff do it, on Kubernetes JSON: the applied
// configuration's fields are its leaves (a map's keys one by one, a list merged by key item by
// item, other lists whole); a leaf whose value differs from the live one while another manager
// owns it is a conflict (409, one cause per field) unless forced, when the others lose it; the
// applier's Apply entry then owns exactly the applied fields; a field it owned before, no longer
// applies and no one else owns is removed from the object. Both the REST API (kubeapi) and the
// shell's apply reach it through shell/kubectl/server-side-apply.ts.
import type { ApiError, JsonValue, ManagedFieldsEntry, SimTime } from './types.js';

type JsonObject = { [key: string]: JsonValue };
/** A field's path: object keys, and `k:{"name":"web"}` for an item of a list merged by key (FieldsV1's spelling). */
export type FieldPath = string[];

const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Lists merged by key in the API's schemas (patchMergeKey / listMapKeys); others are atomic. */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'], initContainers: ['name'], ephemeralContainers: ['name'], env: ['name'], volumes: ['name'],
  volumeMounts: ['mountPath'], conditions: ['type'], ownerReferences: ['uid'], addresses: ['type'], podIPs: ['ip'],
  hostIPs: ['ip'], imagePullSecrets: ['name'],
};

/** The key fields of an item of list `field`: container ports by containerPort and protocol, a Service's by port and protocol. */
function keyFields(field: string, item: JsonObject): string[] | undefined {
  if (field === 'ports') return 'containerPort' in item ? ['containerPort', 'protocol'] : ['port', 'protocol'];
  return MERGE_KEYS[field];
}

/** `k:{"name":"web"}`, an item's key as FieldsV1 writes it (the protocol defaults to TCP, as the schema's key default). */
export function itemKey(field: string, item: JsonObject): string | undefined {
  const keys = keyFields(field, item);
  if (!keys) return undefined;
  const values: JsonObject = {};
  for (const k of keys) {
    const v = item[k] ?? (k === 'protocol' ? 'TCP' : undefined);
    if (v !== undefined) values[k] = v;
  }
  return `k:${JSON.stringify(values)}`;
}

const isKey = (segment: string): boolean => segment.startsWith('k:{');

function keyValues(segment: string): JsonObject {
  try {
    const parsed = JSON.parse(segment.slice(2)) as JsonValue;
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Each list's items by key, kept while the list keeps its length (items are only added or replaced here). */
const keyIndexes = new WeakMap<JsonValue[], { length: number; field: string; byKey: Map<string, number> }>();

/** The index of the item of `list` (under `field`) whose key is `segment`, or -1 (the first of duplicates). */
function itemIndex(list: JsonValue[], field: string, segment: string): number {
  let index = keyIndexes.get(list);
  if (!index || index.length !== list.length || index.field !== field) {
    const byKey = new Map<string, number>();
    list.forEach((item, i) => {
      const key = isObject(item) ? itemKey(field, item) : undefined;
      if (key !== undefined && !byKey.has(key)) byKey.set(key, i);
    });
    index = { length: list.length, field, byKey };
    keyIndexes.set(list, index);
  }
  return index.byKey.get(segment) ?? -1;
}

/** Adds the keyed item `segment` at the end of `list`, keeping its index (rebuilding it per item made an apply quadratic). */
function appendItem(list: JsonValue[], field: string, segment: string): number {
  const at = list.push(keyValues(segment)) - 1;
  const index = keyIndexes.get(list);
  if (index && index.field === field && index.length === at) {
    index.length = list.length;
    if (!index.byKey.has(segment)) index.byKey.set(segment, at);
  }
  return at;
}

/** The value at a path, if there is one. */
export function valueAt(root: JsonValue, path: FieldPath): JsonValue | undefined {
  let value: JsonValue | undefined = root;
  let field = '';
  for (const segment of path) {
    if (Array.isArray(value) && isKey(segment)) {
      const i = itemIndex(value, field, segment);
      value = i < 0 ? undefined : value[i];
    } else value = isObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
    if (value === undefined) return undefined;
    field = segment;
  }
  return value;
}

/** Sets the value at a path, making the maps and keyed items on the way (an item starts with its key fields). */
function setAt(root: JsonObject, path: FieldPath, value: JsonValue): void {
  let node: JsonValue = root;
  let field = '';
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    const nextIsKey = !last && isKey(path[i + 1]!);
    if (Array.isArray(node)) {
      let at = itemIndex(node, field, segment);
      if (at < 0) at = appendItem(node, field, segment);
      if (last) node[at] = structuredClone(value);
      else node = node[at]!;
    } else if (isObject(node)) {
      const child: JsonValue | undefined = Object.hasOwn(node, segment) ? node[segment] : undefined;
      const fits = nextIsKey ? Array.isArray(child) : isObject(child);
      // Defined, not assigned: a key such as `__proto__` is data here.
      if (last || !fits) Object.defineProperty(node, segment, { value: last ? structuredClone(value) : nextIsKey ? [] : {}, writable: true, enumerable: true, configurable: true });
      if (!last) node = node[segment]!;
    } else return;
    field = segment;
  }
}

/** Removes the field at a path; removing an item's key field removes the item. */
function removeAt(root: JsonObject, path: FieldPath): void {
  const parentPath = path.slice(0, -1);
  const leaf = path.at(-1)!;
  const parent = valueAt(root, parentPath);
  if (isObject(parent)) {
    const grand = parentPath.length >= 2 && isKey(parentPath.at(-1)!) ? valueAt(root, parentPath.slice(0, -1)) : undefined;
    if (Array.isArray(grand) && leaf in keyValues(parentPath.at(-1)!)) {
      const i = grand.indexOf(parent);
      if (i >= 0) grand.splice(i, 1);
      return;
    }
    if (Object.hasOwn(parent, leaf)) delete parent[leaf];
  } else if (Array.isArray(parent) && isKey(leaf)) {
    const i = itemIndex(parent, parentPath.at(-1) ?? '', leaf);
    if (i >= 0) parent.splice(i, 1);
  }
}

/** The leaves of a value under `field`: scalars, empty maps, atomic lists, and each keyed item's own leaves. */
export function leavesOf(value: JsonValue, field = '', prefix: FieldPath = [], out: FieldPath[] = []): FieldPath[] {
  if (Array.isArray(value)) {
    const keys = value.map((item) => (isObject(item) ? itemKey(field, item) : undefined));
    if (value.length === 0 || keys.some((k) => k === undefined)) out.push(prefix);
    else value.forEach((item, i) => leavesOf(item, '', [...prefix, keys[i]!], out));
  } else if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leavesOf(v, k, [...prefix, k], out);
  } else out.push(prefix);
  return out;
}

/** A value holding only the given paths' values (a keyed item keeps its key fields). */
export function projection(root: JsonValue, paths: FieldPath[]): JsonObject {
  const out: JsonObject = {};
  for (const path of paths) {
    const value = valueAt(root, path);
    if (value !== undefined && path.length > 0) setAt(out, path, value);
  }
  return out;
}

const pathKey = (path: FieldPath): string => path.join('\u0000');

/** A set of paths that answers, in the paths' depth, which of them lie on a given path. */
class PathSet {
  private readonly exact = new Set<string>();
  private readonly inner = new Set<string>();
  constructor(paths: FieldPath[]) {
    for (const p of paths) {
      this.exact.add(pathKey(p));
      for (let i = 0; i < p.length; i++) this.inner.add(pathKey(p.slice(0, i)));
    }
  }
  /** The shortest of the set's paths that holds `path` (an ancestor or itself), if any. */
  holder(path: FieldPath): FieldPath | undefined {
    for (let i = 0; i <= path.length; i++) if (this.exact.has(pathKey(path.slice(0, i)))) return path.slice(0, i);
    return undefined;
  }
  /** Whether one of the set's paths lies on `path` (equal, holding it, or inside it). */
  overlaps(path: FieldPath): boolean {
    return this.holder(path) !== undefined || this.inner.has(pathKey(path));
  }
}

/** One path lies on the other (equal, or one inside the other). */
export const overlaps = (a: FieldPath, b: FieldPath): boolean => a.length <= b.length ? a.every((s, i) => b[i] === s) : b.every((s, i) => a[i] === s);

/** The parts of a configuration nobody owns: identity, server-set metadata and the status. */
function appliedPart(applied: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k !== 'metadata') out[k] = v;
    else if (isObject(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([m]) => ['labels', 'annotations', 'ownerReferences', 'finalizers', 'generateName'].includes(m)));
      if (Object.keys(meta).length > 0) out.metadata = meta;
    }
  }
  return out;
}

/** structured-merge-diff's Path.String(): `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: FieldPath): string {
  return path.map((s) => (isKey(s) ? `[${Object.entries(keyValues(s)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]` : `.${s}`)).join('');
}

/** How a conflict names a manager (fieldmanager's printManager): an updater with its apiVersion and subresource. */
function managerName(entry: ManagedFieldsEntry, apiVersion: string): string {
  let name = JSON.stringify(entry.manager);
  if (entry.subresource) name += ` with subresource ${JSON.stringify(entry.subresource)}`;
  return entry.operation === 'Update' ? `${name} using ${apiVersion}` : name;
}

export interface ApplyConflict extends ApiError {
  causes: { reason: 'FieldManagerConflict'; message: string; field: string }[];
}

export type ApplyOutcome =
  | { ok: true; object: JsonObject; entries: ManagedFieldsEntry[] }
  | { ok: false; conflict: ApplyConflict }
  | { ok: false; error: ApiError };

const typeName = (v: JsonValue): string => (Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v === 'object' ? 'map' : typeof v);

/**
 * Where the configuration's shape cannot be the object's (a map where the object has a list…),
 * as the typed patch object the fieldmanager builds refuses it; scalars are the builder's to check.
 */
function shapeProblem(config: JsonValue, live: JsonValue | undefined, field: string, path: FieldPath): string | undefined {
  if (live === undefined || live === null || config === null) return undefined;
  const at = pathString(path) || '.';
  if (isObject(live)) {
    if (!isObject(config)) return `${at}: expected map, got ${typeName(config)}`;
    for (const [k, v] of Object.entries(config)) {
      const problem = shapeProblem(v, Object.hasOwn(live, k) ? live[k] : undefined, k, [...path, k]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!Array.isArray(live)) return undefined;
  if (!Array.isArray(config)) return `${at}: expected list, got ${typeName(config)}`;
  if (!live.some(isObject)) return undefined;
  for (const item of config) {
    if (!isObject(item)) return `${at}: expected map, got ${typeName(item)}`;
    const key = itemKey(field, item);
    const match = key === undefined ? -1 : itemIndex(live, field, key);
    const problem = match < 0 ? undefined : shapeProblem(item, live[match], '', [...path, key!]);
    if (problem) return problem;
  }
  return undefined;
}

const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies `applied` as `manager` over `live` (undefined: the object is created), whose managers
 * are `entries` with every entry's fields listed. The object to write and its managedFields, or
 * the conflicts (fieldmanager's NewConflictError).
 */
export function applyConfiguration(
  live: JsonObject | undefined, applied: JsonObject, entries: ManagedFieldsEntry[], manager: string, force: boolean, now: SimTime,
): ApplyOutcome {
  const apiVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : 'v1';
  const config = appliedPart(applied);
  const leaves = leavesOf(config);
  const isMine = (e: ManagedFieldsEntry): boolean => e.manager === manager && e.operation === 'Apply' && e.subresource === undefined;
  const others = entries.filter((e) => !isMine(e));
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  const shape = live ? shapeProblem(config, live, '', []) : undefined;
  if (shape) {
    const gvk = `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
    return { ok: false, error: { status: 400, reason: 'BadRequest', message: `failed to create typed patch object (${gvk}): ${shape}` } };
  }
  const conflicts: { entry: ManagedFieldsEntry; path: FieldPath }[] = [];
  if (live) {
    for (const entry of others) {
      const owned = new PathSet(entry.fields ?? []);
      for (const leaf of leaves) {
        if (!owned.overlaps(leaf)) continue;
        // The value is compared where the two meet: the applied leaf, or the whole list another owns.
        const holder = owned.holder(leaf);
        const where = holder && holder.length < leaf.length ? holder : leaf;
        if (!same(valueAt(live, where), valueAt(config, where) ?? valueAt(config, leaf))) conflicts.push({ entry, path: leaf });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { ok: false, conflict: conflictError(conflicts, apiVersion) };
  const object: JsonObject = live ? structuredClone(live) : {};
  for (const leaf of leaves) setAt(object, leaf, valueAt(config, leaf)!);
  // Forced: the others give up what they conflicted on.
  const kept = others.flatMap((e) => {
    const lost = new PathSet(conflicts.filter((c) => c.entry === e).map((c) => c.path));
    if (!conflicts.some((c) => c.entry === e)) return [e];
    const fields = (e.fields ?? []).filter((f) => !lost.overlaps(f));
    // An entry left with no fields is dropped, as the fieldmanager does.
    return fields.length > 0 ? [{ ...e, fields }] : [];
  });
  // What this manager applied before and no longer does, and no one else owns, goes.
  const stillOwned = new PathSet([...leaves, ...kept.flatMap((e) => e.fields ?? [])]);
  for (const path of entries.find(isMine)?.fields ?? []) if (!stillOwned.overlaps(path)) removeAt(object, path);
  const mine: ManagedFieldsEntry = { manager, operation: 'Apply', time: now, fields: leaves };
  const at = entries.findIndex(isMine);
  const result = at < 0 ? [...kept, mine] : [...kept.slice(0, at), mine, ...kept.slice(at)];
  return { ok: true, object, entries: result };
}

function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** The apiserver's 409 for an apply's conflicts (fieldmanager internal/conflict.go). */
function conflictError(found: { entry: ManagedFieldsEntry; path: FieldPath }[], apiVersion: string): ApplyConflict {
  // structured-merge-diff keeps the conflicts as sorted sets: by manager, then path.
  const byteOrder = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);
  const conflicts = [...found].sort((a, b) => byteOrder(managerName(a.entry, apiVersion), managerName(b.entry, apiVersion)) || comparePaths(a.path, b.path));
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict' as const, message: `conflict with ${managerName(c.entry, apiVersion)}`, field: pathString(c.path) }));
  if (conflicts.length === 1) {
    return { status: 409, reason: 'Conflict', message: `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}`, causes };
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const name = managerName(c.entry, apiVersion);
    byManager.set(name, [...(byManager.get(name) ?? []), pathString(c.path)]);
  }
  const lines = [...byManager.keys()].flatMap((name) => [`conflicts with ${name}:`, ...byManager.get(name)!.map((p) => `- ${p}`)]);
  return { status: 409, reason: 'Conflict', message: `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, causes };
}
