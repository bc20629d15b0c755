// `--show-managed-fields`: metadata.managedFields as the apiserver returns them (kubectl 1.29
// strips them from -o yaml|json unless asked: get.go, printers.go's ManagedFields stripping).
// Each entry: apiVersion, fieldsType FieldsV1, fieldsV1 (the fields' set in the structured-merge-
// diff path format: `f:name` for a field, `k:{"name":"web"}` for an item of a list merged by
// key, `.` for a map or list item set as a whole), manager, operation, subresource, time.
// The built world's writers are derived from who makes such objects in a kubeadm cluster
// (the controller manager for owned objects, the kubelet for static pods and for pod and node
// status, kubeadm in the system namespaces, `kubectl apply` for the workloads); a client's own
// writes are recorded as they happen (cluster/managed-fields.ts). An entry's fields are the part
// of the object its manager writes: the status for the status subresource, labels or
// annotations for `kubectl label|annotate`, spec.replicas for scale, else metadata and spec.
import type { ClusterState, ManagedFieldsEntry, Pod, SimTime } from '../../cluster/types.js';
import { itemKey, leavesOf, projection, valueAt } from '../../cluster/server-side-apply.js';
import { rfc3339 } from './age.js';
import type { Json } from './manifest.js';
import type { JsonObject } from './manifest-fields.js';
import type { KubeObject } from './resources.js';

/** Fields that are maps (granular: `.` plus one `f:` per key). */
const MAPS = new Set(['labels', 'annotations', 'nodeSelector', 'data', 'binaryData', 'matchLabels', 'limits', 'requests', 'capacity', 'allocatable']);

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The FieldsV1 set of a value under `field`. */
function fieldSet(value: Json, field: string): JsonObject {
  if (Array.isArray(value)) {
    const out: JsonObject = {};
    for (const item of value) {
      const key = isObject(item) ? itemKey(field, item) : undefined;
      if (key === undefined || !isObject(item)) return {}; // an atomic list: owned as a whole
      out[key] = { '.': {}, ...fieldSet(item, '') };
    }
    return out;
  }
  if (!isObject(value)) return {};
  const out: JsonObject = MAPS.has(field) && Object.keys(value).length > 0 ? { '.': {} } : {};
  for (const [k, v] of Object.entries(value)) out[`f:${k}`] = fieldSet(v, k);
  return out;
}

/** The manifest without the given paths. */
function without(manifest: JsonObject, paths: string[][]): JsonObject {
  const out = structuredClone(manifest);
  for (const path of paths) {
    // Remove the field, then the maps it leaves empty.
    for (let end = path.length; end > 0; end--) {
      const parent = valueAt(out, path.slice(0, end - 1));
      const key = path[end - 1]!;
      if (!isObject(parent)) break;
      const child = parent[key];
      if (end < path.length && !(isObject(child) && Object.keys(child).length === 0)) break;
      delete parent[key];
    }
  }
  return out;
}

/** The part of the manifest an entry's manager writes, less what later narrow writes took from it. */
function ownedPart(manifest: JsonObject, entry: ManagedFieldsEntry, taken: string[][]): JsonObject {
  if (entry.fields) return projection(manifest, entry.fields);
  if (entry.subresource === 'status') return isObject(manifest.status) ? { status: manifest.status } : {};
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  const own: JsonObject = {};
  const metaOwned = Object.fromEntries(['generateName', 'labels', 'annotations', 'ownerReferences', 'finalizers'].filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]!]));
  if (Object.keys(metaOwned).length > 0) own.metadata = metaOwned;
  for (const [k, v] of Object.entries(manifest)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) own[k] = v;
  return taken.length > 0 ? without(own, taken) : own;
}

/** Who wrote the built object, as a kubeadm cluster's components would have. */
function derivedEntries(obj: KubeObject, kind: string): ManagedFieldsEntry[] {
  const created = obj.metadata.creationTimestamp;
  const system = ['kube-system', 'kube-public', 'kube-node-lease'].includes(obj.metadata.namespace ?? '');
  const owned = obj.metadata.ownerReferences.length > 0;
  const isStatic = kind === 'Pod' && (obj as Pod).static === true;
  const writer = isStatic || kind === 'Node' ? 'kubelet' : owned || kind === 'Endpoints' || kind === 'ReplicaSet' ? 'kube-controller-manager' : system ? 'kubeadm' : 'kubectl-client-side-apply';
  const entries: ManagedFieldsEntry[] = [{ manager: writer, operation: 'Update', time: created }];
  const statusWriter = kind === 'Pod' || kind === 'Node' ? 'kubelet' : ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler'].includes(kind) ? 'kube-controller-manager' : undefined;
  if (statusWriter) entries.push({ manager: statusWriter, operation: 'Update', subresource: 'status', time: latestStatus(obj) ?? created });
  return entries;
}

/** The latest condition change, the time a status writer last had something to say. */
function latestStatus(obj: KubeObject): SimTime | undefined {
  const status = (obj as { status?: { conditions?: { lastTransitionTime?: SimTime }[] } }).status;
  const times = (status?.conditions ?? []).map((c) => c.lastTransitionTime).filter((t): t is SimTime => typeof t === 'number');
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Every manager of the object, in the apiserver's order, each with the part of `manifest` it owns. */
function ownership(obj: KubeObject, kind: string, manifest: JsonObject): { entry: ManagedFieldsEntry; owned: JsonObject }[] {
  const recorded = obj.metadata.managedFields ?? [];
  const derived = derivedEntries(obj, kind).filter((d) => !recorded.some((r) => r.manager === d.manager && r.subresource === d.subresource));
  // A client created it if its first recorded write was the creation.
  const entries = recorded.length > 0 && recorded[0]!.time === obj.metadata.creationTimestamp ? [...recorded, ...derived.slice(1)] : [...derived, ...recorded];
  return entries.map((entry, i) => {
    const taken = entries.slice(i + 1).filter((later) => later.time >= entry.time).flatMap((later) => later.fields ?? []);
    return { entry, owned: ownedPart(manifest, entry, taken) };
  });
}

/** The object's managers with the fields each owns listed (what server-side apply weighs an applied configuration against). */
export function ownedFields(obj: KubeObject, kind: string, manifest: JsonObject): ManagedFieldsEntry[] {
  return ownership(obj, kind, manifest).map(({ entry, owned }) => ({ ...entry, fields: Object.keys(owned).length > 0 ? leavesOf(owned) : [] }));
}

/** The manifest with metadata.managedFields, as the apiserver returns it. */
export function withManagedFields(state: ClusterState, kind: string, obj: KubeObject, manifest: JsonObject): JsonObject {
  const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : 'v1';
  const managedFields: Json[] = ownership(obj, kind, manifest).map(({ entry: e, owned }) => {
    const out: JsonObject = { apiVersion, fieldsType: 'FieldsV1', fieldsV1: fieldSet(owned, ''), manager: e.manager, operation: e.operation };
    if (e.subresource) out.subresource = e.subresource;
    out.time = rfc3339(state, e.time);
    return out;
  });
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  return { ...manifest, metadata: { ...metadata, managedFields } };
}
