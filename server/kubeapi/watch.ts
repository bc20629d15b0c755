// Watches (`?watch=true` on a list path), pure: a cursor remembers the resourceVersion of each
// object it has reported, and each step compares the listing with it, giving ADDED, MODIFIED
// and DELETED events in listing order. The HTTP edge steps a watch as simulated time passes
// and streams the events, one JSON object a line, as the apiserver does. No history is kept:
// a watch that names a resourceVersion starts from the objects as they are (changes between
// that version and the watch are not replayed); without one (or "0") every object is ADDED
// first. Enough for `kubectl get -w` and `kubectl delete` (which waits on a watch). A
// resourceVersion older than etcd's compaction is answered as the watch cache does: one ERROR
// event carrying a 410 Expired Status, then the end (the client lists again). With
// allowWatchBookmarks, a quiet watch sends a BOOKMARK with the current revision now and then.
import type { ClusterState } from '../cluster/types.js';
import { toManifest, type Json } from '../shell/kubectl/manifest.js';
import { listingChars, MAX_PAGE_CHARS } from '../shell/kubectl/listing.js';
import { listObjects, type KubeObject } from '../shell/kubectl/resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, unsupportedFieldLabel, type FieldRequirement, type LabelRequirement } from '../shell/kubectl/selectors.js';
import { badRequest, statusResponse, type ApiResponse } from './status.js';
import { objectTable, wantsTable } from './table.js';
import type { ApiRequest, Target } from './handler.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Json;
}

/** Steps of a quiet watch between two bookmarks (WATCH_STEP_MS each at the edge). */
export const BOOKMARK_STEPS = 25;

export interface WatchCursor {
  target: Target;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  table: boolean;
  /** Each reported object by key, with the resourceVersion it was reported at. */
  seen: Map<string, { version: number; obj: KubeObject }>;
  /** allowWatchBookmarks: quiet steps since the last event, and the revision last told. */
  bookmarks?: { quiet: number; revision: number };
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The cursor of a watch request, with the events it starts with; or the Status refusing it. */
export function openWatch(state: ClusterState, req: ApiRequest, target: Target): { ok: true; cursor: WatchCursor; events: WatchEvent[] } | { ok: false; response: ApiResponse } {
  const labels = parseLabelSelector(req.query.labelSelector ?? '');
  if (!labels.ok) return { ok: false, response: badRequest(labels.error.replace(/^error: /, '').trimEnd()) };
  const fields = parseFieldSelector(req.query.fieldSelector ?? '');
  if (!fields.ok) return { ok: false, response: badRequest(fields.error.replace(/^error: /, '').trimEnd()) };
  const unsupported = unsupportedFieldLabel(target.type, fields.requirements);
  if (unsupported) return { ok: false, response: badRequest(unsupported) };
  const version = req.query.resourceVersion ?? '';
  // etcd compacted the history the watch would start from (watch_cache.go: too old resource version).
  if (/^\d+$/.test(version) && Number(version) > 0 && Number(version) < state.etcd.compactedRevision) {
    const expired = statusResponse(410, 'Expired', `too old resource version: ${version} (${state.etcd.compactedRevision})`).body as Json;
    return { ok: false, response: { status: 200, body: `${JSON.stringify({ type: 'ERROR', object: expired })}\n` } };
  }
  const cursor: WatchCursor = {
    target, labels: labels.requirements, fields: fields.requirements, table: wantsTable(req.accept), seen: new Map(),
    ...(req.query.allowWatchBookmarks === 'true' ? { bookmarks: { quiet: 0, revision: state.etcd.revision } } : {}),
  };
  if (version !== '' && version !== '0') {
    for (const obj of matching(state, cursor)) cursor.seen.set(keyOf(obj), { version: obj.metadata.resourceVersion, obj });
  }
  return { ok: true, cursor, events: watchStep(state, cursor) };
}

function matching(state: ClusterState, cursor: WatchCursor): KubeObject[] {
  const { type, namespace } = cursor.target;
  return listObjects(state, type, namespace).filter((o) => matchesLabels(cursor.labels, o.metadata.labels) && matchesFields(type, cursor.fields, o));
}

/** The events since the cursor's last step: objects new, written, or gone (or no longer matching). */
export function watchStep(state: ClusterState, cursor: WatchCursor): WatchEvent[] {
  const events: WatchEvent[] = [];
  const now = new Set<string>();
  // A step sends about a listing page's worth (MAX_PAGE_CHARS); the objects past it
  // stay unseen, so the next steps send them.
  let chars = 0;
  for (const obj of matching(state, cursor)) {
    const key = keyOf(obj);
    now.add(key);
    const seen = cursor.seen.get(key);
    if (seen && seen.version === obj.metadata.resourceVersion && seen.obj === obj) continue;
    if (chars > MAX_PAGE_CHARS) continue;
    chars += listingChars(state, [{ type: cursor.target.type, obj }], MAX_PAGE_CHARS - chars);
    cursor.seen.set(key, { version: obj.metadata.resourceVersion, obj });
    events.push({ type: seen ? 'MODIFIED' : 'ADDED', object: eventObject(state, cursor, obj) });
  }
  for (const [key, { obj }] of cursor.seen) {
    if (now.has(key)) continue;
    cursor.seen.delete(key);
    events.push({ type: 'DELETED', object: eventObject(state, cursor, obj) });
  }
  return bookmarked(state, cursor, events);
}

/** The step's events, or a BOOKMARK after BOOKMARK_STEPS quiet steps while the revision moved on. */
function bookmarked(state: ClusterState, cursor: WatchCursor, events: WatchEvent[]): WatchEvent[] {
  const marks = cursor.bookmarks;
  if (!marks) return events;
  if (events.length > 0 || ++marks.quiet < BOOKMARK_STEPS || marks.revision === state.etcd.revision) {
    if (events.length > 0) [marks.quiet, marks.revision] = [0, state.etcd.revision];
    return events;
  }
  marks.quiet = 0;
  marks.revision = state.etcd.revision;
  const { kind, apiVersion } = cursor.target.type;
  return [{ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(state.etcd.revision) } } }];
}

function eventObject(state: ClusterState, cursor: WatchCursor, obj: KubeObject): Json {
  if (!cursor.table) return toManifest(state, cursor.target.type.kind, obj);
  return objectTable(state, cursor.target.type, [obj], 'PartialObjectMetadata', { resourceVersion: String(obj.metadata.resourceVersion) }) as unknown as Json;
}
