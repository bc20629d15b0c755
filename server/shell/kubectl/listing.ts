// Every object of a kind, sorted like the apiserver lists them (by namespace, then name),
// kept per state between commands, with the tables last printed from it. api.ts logs the
// key of every write, so after a write only the objects written since are read again: a
// cluster of 15,000 pods lists them without sorting again, and prints them again without
// rebuilding the rows of pods that did not change. Rebuilt from scratch when objects were
// created or deleted since, and not kept for events (no API kind here) or for a kind never
// written through the api in this process (serial -1: a hand-built or just reloaded state,
// which may have been filled in directly).
import { keyOf, objectsOfKind, updatedSince, writeSerial, type Kind } from '../../cluster/api.js';
import type { ClusterState, ConfigMap, StoredObject } from '../../cluster/types.js';
import type { KubeObject, ResourceType } from './resources.js';
import { KeptTable } from './table.js';

interface Listing {
  serial: number;
  objects: KubeObject[];
  /** Index in `objects` by key; built on the first update. */
  index?: Map<string, number>;
  /** Tables printed from a range of `objects`, by what they show (most recent last). */
  tables: Map<string, { from: number; table: KeptTable }>;
  /** Where the last keptBuilt lookup left off (the index after it). */
  cursor?: number;
  /** What was built from each object, by what it is (its `-o json`, its Table metadata), kept until the object is written. */
  built?: Map<string, (unknown | undefined)[]>;
}

/** Tables kept per listing: `get pods -A`, `-o wide`, a namespace or two. */
const MAX_KEPT_TABLES = 4;

const listings = new WeakMap<ClusterState, Map<string, Listing>>();

/** Objects of a type, sorted; the caller must not change the array. */
export function sortedObjects(state: ClusterState, type: ResourceType): KubeObject[] {
  return keptListing(state, type)?.objects ?? sorted(state, type);
}

/**
 * The table kept for these objects when they are a contiguous part of the type's kept
 * listing (a listing, maybe of one namespace, without selectors); `variant` names what the
 * table shows (its columns and what fills them). Undefined when nothing is kept.
 */
export function keptTable(state: ClusterState, type: ResourceType, objects: KubeObject[], variant: string, columns: number): KeptTable | undefined {
  const listing = keptListing(state, type);
  if (!listing || objects.length === 0) return undefined;
  const from = listing.objects.indexOf(objects[0]!);
  if (from < 0 || from + objects.length > listing.objects.length) return undefined;
  for (let i = 0; i < objects.length; i++) if (listing.objects[from + i] !== objects[i]) return undefined;
  const key = `${from}:${objects.length}:${variant}`;
  let kept = listing.tables.get(key);
  listing.tables.delete(key);
  kept ??= { from, table: new KeptTable(objects.length, columns) };
  listing.tables.set(key, kept);
  if (listing.tables.size > MAX_KEPT_TABLES) listing.tables.delete(listing.tables.keys().next().value!);
  return kept.table;
}

/**
 * What `build` makes of each object (`what` names it), kept with the listing until the object
 * is written (it must be a pure function of the object and the state's epoch, and is never
 * changed): a 300-pod `get pods -A -o json` builds again only the pods written since the last one.
 */
export function keptBuilt<T>(state: ClusterState, items: readonly { type: ResourceType; obj: KubeObject }[], what: string, build: (item: { type: ResourceType; obj: KubeObject }) => T): T[] {
  return items.map(keptBuilder(state, what, build));
}

/**
 * keptBuilt one item at a time, for a caller that may stop early (listingChars): the listings
 * are looked up once for all its calls. Called with one item each, keptBuilt's own lookups
 * and arrays cost about as much as walking a pod's spec (0.1 ms a 300-pod `get -o json`).
 */
export function keptBuilder<T>(state: ClusterState, what: string, build: (item: { type: ResourceType; obj: KubeObject }) => T): (item: { type: ResourceType; obj: KubeObject }) => T {
  const listings = new Map<ResourceType, Listing | undefined>();
  return (item) => {
    if (!listings.has(item.type)) listings.set(item.type, keptListing(state, item.type));
    const listing = listings.get(item.type);
    if (!listing) return build(item);
    // Most lists are the listing in its order: the index is needed only when they are not.
    const at = listing.objects[listing.cursor ?? 0] === item.obj ? listing.cursor ?? 0 : keyIndex(listing).get(keyOf(item.obj));
    if (at === undefined || listing.objects[at] !== item.obj) return build(item);
    listing.cursor = at + 1;
    const byWhat = (listing.built ??= new Map());
    let built = byWhat.get(what);
    if (!built) byWhat.set(what, (built = []));
    return (built[at] ??= build(item)) as T;
  };
}

function keptListing(state: ClusterState, type: ResourceType): Listing | undefined {
  if (type.kind === 'Event') return undefined;
  const kind = type.kind as Kind;
  const serial = writeSerial(state, kind);
  if (serial < 0) return undefined;
  let byKind = listings.get(state);
  if (!byKind) listings.set(state, (byKind = new Map()));
  const kept = byKind.get(kind);
  if (kept && (kept.serial === serial || update(state, type, kept, serial))) return kept;
  const listing: Listing = { serial, objects: sorted(state, type), tables: new Map() };
  byKind.set(kind, listing);
  return listing;
}

/** Reads again the objects written since the listing was made; false if it must be rebuilt. */
function update(state: ClusterState, type: ResourceType, listing: Listing, serial: number): boolean {
  const keys = updatedSince(state, type.kind as Kind, listing.serial);
  if (!keys || keys.length > listing.objects.length) return false;
  const objects = objectsOfKind(state, type.kind as Kind) as Readonly<Record<string, KubeObject>>;
  const index = keyIndex(listing);
  for (const key of keys) {
    const i = index.get(key);
    const obj = objects[key];
    if (i === undefined || !obj) return false;
    listing.objects[i] = obj; // an update may have replaced the object
    for (const built of listing.built?.values() ?? []) built[i] = undefined;
    for (const { from, table } of listing.tables.values()) if (i >= from && i < from + table.rows) table.invalidate(i - from);
  }
  listing.serial = serial;
  return true;
}

function keyIndex(listing: Listing): Map<string, number> {
  return (listing.index ??= new Map(listing.objects.map((o, i) => [keyOf(o), i])));
}

function sorted(state: ClusterState, type: ResourceType): KubeObject[] {
  const objects: KubeObject[] = type.kind === 'Event' ? state.events : Object.values(objectsOfKind(state, type.kind as Kind));
  return objects.slice().sort(compareByNamespaceName);
}

function compareByNamespaceName(a: KubeObject, b: KubeObject): number {
  return compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareStrings(a.metadata.name, b.metadata.name);
}

/** Byte order, like Go's sort of strings (not locale order). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The part of a sorted list in one namespace (undefined: all of it), found by binary
 * search since the list is sorted by namespace first.
 */
export function namespaceRange(objects: KubeObject[], namespace: string | undefined): KubeObject[] {
  if (namespace === undefined) return objects.slice();
  const first = (above: (ns: string) => boolean): number => {
    let lo = 0;
    let hi = objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (above(objects[mid]!.metadata.namespace ?? '')) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return objects.slice(first((ns) => ns >= namespace), first((ns) => ns > namespace));
}

/** What an object's JSON takes besides the parts weighed one by one: its kind, name, times, uid, status… */
const OBJECT_CHARS = 500;
/** What a map entry or a list item takes besides its key and text (quotes, colon, comma, indentation). */
const VALUE_CHARS = 10;

/** Characters of a JSON value's text, counted until they pass `limit` (the walk stops there). */
function jsonChars(value: unknown, limit: number): number {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && chars <= limit) {
    const at = stack.pop();
    chars += VALUE_CHARS;
    if (typeof at === 'string') chars += at.length;
    else if (Array.isArray(at)) for (const item of at) stack.push(item);
    else if (at !== null && typeof at === 'object') {
      for (const [k, v] of Object.entries(at)) {
        chars += k.length;
        stack.push(v);
      }
    }
  }
  return chars;
}

/**
 * About how many characters the maps a writer fills at will take in an object's JSON (labels,
 * annotations, a ConfigMap's data, the fields of a kind kept as JSON), counted until they pass
 * `limit`: cheap next to building them (copying, sorting and printing a map costs a few µs a key).
 */
export function mapChars(type: ResourceType, obj: KubeObject, limit: number): number {
  let chars = jsonChars(obj.metadata.labels, limit) + jsonChars(obj.metadata.annotations, limit);
  if (type.kind === 'ConfigMap') chars += jsonChars((obj as ConfigMap).data, limit - chars);
  if ('fields' in obj) chars += jsonChars((obj as StoredObject).fields, limit - chars);
  return chars;
}

/**
 * About how many characters the JSON of `items` takes (their maps, their specs, OBJECT_CHARS
 * for the rest), counted until they pass `limit`, so a listing is paged (kubeapi/handler.ts) or
 * charged (the shell's `get`) before it is built. A write bounds each object (cluster/json.ts).
 */
export function listingChars(state: ClusterState, items: readonly { type: ResourceType; obj: KubeObject }[], limit: number): number {
  let chars = 0;
  // Kept until the object is written: a 300-pod `get -o json` walked every spec each time
  // (2 ms of a 7 ms pipeline). One object is bounded by the write ceilings (cluster/json.ts).
  const charsOf = keptBuilder(state, 'chars', objectChars);
  for (const item of items) {
    if (chars > limit) break;
    chars += charsOf(item);
  }
  return chars;
}

const objectChars = ({ type, obj }: { type: ResourceType; obj: KubeObject }): number =>
  OBJECT_CHARS + mapChars(type, obj, Infinity) + ('spec' in obj ? jsonChars(obj.spec, Infinity) : 0);

/**
 * JSON characters a page of a listing may take (about: listingChars): building and sending a
 * megabyte of objects takes this server ~0.1 s, so a listing of more (500 ConfigMaps of 1000
 * keys: 13 MB, 1.2 s) is sent in pages of half that with a continue token, as an apiserver may
 * send fewer items than `limit` asks (kubeapi/handler.ts); kubectl follows the token; each page
 * is a request of the seat's. A watch's step sends about as much (kubeapi/watch.ts).
 */
export const MAX_PAGE_CHARS = 2 ** 19;
