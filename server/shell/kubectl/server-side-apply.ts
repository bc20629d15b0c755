// Server-side apply of one object, shared by the REST API (PATCH application/apply-patch+yaml)
// and the shell's `kubectl apply --server-side`: the merge, the conflicts and the managers'
// fields are the core's (cluster/server-side-apply.ts); the object is then built and written
// the way every other write is (objectFromManifest, writeCreate/writeUpdate), so admission and
// the controllers treat it alike. A missing object is created.
import type { KindMap } from '../../cluster/api.js';
import { asClient } from '../../cluster/managed-fields.js';
import { applyConfiguration, type ApplyConflict } from '../../cluster/server-side-apply.js';
import type { ApiError, ClusterState } from '../../cluster/types.js';
import { writeCreate, writeUpdate } from './commands/apply.js';
import { objectFromManifest, type FieldValidation, type ManifestKind, type ManifestProblem } from './from-manifest.js';
import { ownedFields } from './managed-fields.js';
import { toManifest } from './manifest.js';
import type { JsonObject } from './manifest-fields.js';
import { getObject, type KubeObject, type ResourceType } from './resources.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface ApplyRequest {
  type: ResourceType;
  kind: ManifestKind;
  namespace: string | undefined;
  name: string;
  /** The applied configuration, as sent. */
  applied: JsonObject;
  manager: string;
  force: boolean;
  dryRun: boolean;
  validation: FieldValidation;
}

export type ApplyResult =
  | { ok: true; created: boolean; obj: KubeObject; warnings: string[] }
  | { ok: false; conflict: ApplyConflict }
  | { ok: false; problem: ManifestProblem }
  | { ok: false; error: ApiError };

/**
 * Optimistic concurrency, as for any write: a metadata.resourceVersion sent must be the stored
 * one, else the apiserver's Conflict.
 */
export function staleVersion(type: ResourceType, name: string, sent: JsonObject, stored: string | number | undefined): ApiError | undefined {
  const version = isObject(sent.metadata) ? sent.metadata.resourceVersion : undefined;
  if (typeof version !== 'string' || version === '' || version === String(stored ?? '')) return undefined;
  const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
  return { status: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again` };
}

export function serverSideApply(state: ClusterState, req: ApplyRequest): ApplyResult {
  const { type, kind, namespace, name, applied } = req;
  const stored = getObject(state, type, namespace ?? '', name) as KindMap[ManifestKind] | undefined;
  const stale = staleVersion(type, name, applied, stored?.metadata.resourceVersion);
  if (stale) return { ok: false, error: stale };
  const live = stored ? (toManifest(state, kind, stored) as JsonObject) : undefined;
  const outcome = applyConfiguration(live, applied, stored && live ? ownedFields(stored, kind, live) : [], req.manager, req.force, state.now);
  if (!outcome.ok) return outcome;
  const object = stored ? outcome.object : {
    ...outcome.object, apiVersion: type.apiVersion, kind,
    metadata: { ...(outcome.object.metadata as JsonObject | undefined), name, ...(namespace !== undefined ? { namespace } : {}) },
  };
  const built = objectFromManifest(state, kind, object, namespace, stored, req.validation);
  if (!built.ok) return { ok: false, problem: built.problem };
  built.obj.metadata.managedFields = outcome.entries;
  const warnings = built.warnings;
  if (req.dryRun) return { ok: true, created: !stored, obj: built.obj, warnings };
  // The apply sets the managers' entries itself: its write records no Update entry.
  return asClient(state, { manager: req.manager, operation: 'Apply' }, (): ApplyResult => {
    if (!stored) {
      const r = writeCreate(state, kind, built.obj);
      return r.ok ? { ok: true, created: true, obj: r.value, warnings } : { ok: false, error: r.error };
    }
    const w = writeUpdate(state, kind, built.obj, stored, 'none');
    if (!w.ok) return { ok: false, error: w.error };
    // Nothing else changed: the managers did (a field now co-owned, an entry's time).
    if (w.unchanged) stored.metadata.managedFields = outcome.entries;
    return { ok: true, created: false, obj: getObject(state, type, namespace ?? '', name) ?? built.obj, warnings };
  });
}
