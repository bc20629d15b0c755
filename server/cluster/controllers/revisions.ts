// ControllerRevisions (apps/v1): the history the StatefulSet and DaemonSet controllers keep
// of their pod template, one object per distinct template (`<owner>-<hash>`). As
// pkg/controller/history and the controllers' constructHistory do, a template that comes back
// (a rollback) reuses its revision object and makes it the newest, so the current template is
// always the highest revision. Beyond the owner's revisionHistoryLimit (10 by default) the
// oldest are deleted, as the controllers' truncateHistory / cleanupHistory do: an owner's
// every template change no longer grows the world, nor the scan each sync makes of them.
import { createObject, deleteObject, mutateObject, objectKey, objectsOfKind } from '../api.js';
import { newMeta, ownerRef } from '../objects.js';
import type { ClusterState, JsonValue, ObjectMeta, PodTemplate, StoredObject } from '../types.js';

export const revisionOf = (r: StoredObject): number => (typeof r.fields.revision === 'number' ? r.fields.revision : 0);

/** The revisions `owner` controls, oldest first. */
export function ownedRevisions(state: ClusterState, owner: { metadata: ObjectMeta }): StoredObject[] {
  return Object.values(objectsOfKind(state, 'ControllerRevision'))
    .filter((r) => r.metadata.namespace === owner.metadata.namespace && r.metadata.ownerReferences.some((o) => o.uid === owner.metadata.uid))
    .sort((a, b) => revisionOf(a) - revisionOf(b));
}

/** The API's default revisionHistoryLimit for DaemonSets and StatefulSets. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/**
 * The revision named `name` for the owner's current template: made with the next number, or
 * (an older template come back) renumbered to it; then at most `limit` older ones are kept.
 * `data` is the object's patch; `template` the template as the simulation runs it, for a rollback.
 */
export function ensureRevision(state: ClusterState, kind: string, owner: { metadata: ObjectMeta }, name: string, labels: Record<string, string>, data: JsonValue, template?: PodTemplate, limit = DEFAULT_REVISION_HISTORY_LIMIT): void {
  const ns = owner.metadata.namespace!;
  const owned = ownedRevisions(state, owner);
  const last = owned.length > 0 ? revisionOf(owned.at(-1)!) : 0;
  const existing = objectsOfKind(state, 'ControllerRevision')[objectKey(ns, name)];
  if (existing) {
    if (revisionOf(existing) < last) mutateObject(state, 'ControllerRevision', objectKey(ns, name), (r) => { r.fields.revision = last + 1; });
    return;
  }
  const meta = newMeta(state, name, ns, labels);
  meta.ownerReferences = [ownerRef(kind, owner)];
  const revision: StoredObject = { kind: 'ControllerRevision', metadata: meta, fields: { data, revision: last + 1 } };
  if (template) revision.template = structuredClone(template);
  createObject(state, 'ControllerRevision', revision);
  // `owned` is the history before this one, oldest first: the new one is the current.
  for (const old of owned.slice(0, Math.max(0, owned.length - limit))) deleteObject(state, 'ControllerRevision', objectKey(ns, old.metadata.name));
}

/** A template's patch as the controllers store it: the whole template, replacing the owner's. */
export const templatePatch = (template: { [key: string]: JsonValue }): JsonValue => ({ spec: { template: { ...template, $patch: 'replace' } } });
