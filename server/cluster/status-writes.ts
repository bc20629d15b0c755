// Status a client wrote on a kind the simulation models (PUT/PATCH …/status on a node, a pod, a
// deployment…). The real apiserver stores it; then the object's owner writes its own view back
// at its next sync: the kubelet every 10 s for a node (nodeStatusUpdateFrequency) and a pod
// (status_manager.go's syncPeriod), a controller on the update event itself. So the written
// status is what the API shows until then; after it, what the owner does not set stays, as on
// a real node — a key of a map it does not fill (an extended resource in capacity, as the
// docs' `example.com/dongle`), a condition of a type it does not report (node-problem-detector's
// KernelDeadlock) — merged over the modelled status. The simulation itself reads only its model.
import { err, mutateObject, type Kind, type KindMap } from './api.js';
import { isStoredKind } from './stored-kinds.js';
import type { ApiResult, ClusterState, JsonValue, StoredObject } from './types.js';

type JsonObject = { [k: string]: JsonValue };

/** Kinds whose status the kubelet reports (on its sync period); the others' controllers answer at once. */
const KUBELET_SYNC_MS: Record<string, number> = { Node: 10_000, Pod: 10_000 };
/** Most written statuses kept (the oldest go first), and the largest one (JSON characters). */
const MAX_WRITES = 256;
const MAX_STATUS_CHARS = 64 * 1024;

const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The status subresource's write (the REST API's PUT/PATCH …/status, `kubectl patch
 * --subresource=status`): a kind kept as JSON takes `status` as it is (undefined removes it);
 * a modelled kind shows it until its owner's next sync.
 */
export function writeStatus<K extends Kind>(state: ClusterState, kind: K, key: string, status: JsonObject | undefined): ApiResult<KindMap[K]> {
  if (!isStoredKind(kind) && JSON.stringify(status ?? {}).length > MAX_STATUS_CHARS) {
    const name = key.slice(key.indexOf('/') + 1);
    return err(422, 'Invalid', `${kind} "${name}" is invalid: status: Too long: the simulated cluster keeps at most ${MAX_STATUS_CHARS} characters of a written status`);
  }
  return mutateObject(state, kind, key, (o) => {
    if (!isStoredKind(kind)) return recordStatusWrite(state, kind, key, o.metadata.uid, status ?? {});
    const fields = (o as StoredObject).fields;
    if (status === undefined) delete fields.status;
    else fields.status = status;
  });
}

/** Keeps `written` as the status of `kind` `key` (uid `uid`) until its owner's next sync. */
function recordStatusWrite(state: ClusterState, kind: string, key: string, uid: string, written: JsonObject): void {
  const writes = (state.statusWrites ??= {});
  const id = `${kind}/${key}`;
  delete writes[id];
  writes[id] = { uid, written, until: state.now + (KUBELET_SYNC_MS[kind] ?? 1) };
  const ids = Object.keys(writes);
  for (const old of ids.slice(0, Math.max(0, ids.length - MAX_WRITES))) delete writes[old];
}

/** The status the API shows for `kind` `key`: the modelled one, or what a client wrote over it. */
export function shownStatus(state: ClusterState, kind: string, key: string, uid: string, modelled: JsonObject): JsonObject {
  const write = state.statusWrites?.[`${kind}/${key}`];
  if (!write || write.uid !== uid) return modelled;
  // A copy: what a reader does with the manifest must not change the kept write.
  const written = structuredClone(write.written);
  return state.now < write.until ? written : overlay(modelled, written);
}

/** `modelled` with what `written` adds where the owner sets nothing: new keys of maps, list items of a new `type`. */
function overlay(modelled: JsonObject, written: JsonObject): JsonObject {
  const out: JsonObject = { ...modelled };
  // Defined, not assigned: a written key named `__proto__` stays a plain key.
  const set = (k: string, v: JsonValue): void => void Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  for (const [k, v] of Object.entries(written)) {
    const own = Object.hasOwn(modelled, k) ? modelled[k] : undefined;
    if (own === undefined) set(k, v);
    else if (isObject(own) && isObject(v)) set(k, overlay(own, v));
    else if (Array.isArray(own) && Array.isArray(v)) {
      const types = new Set(own.map((item) => (isObject(item) ? item.type : undefined)));
      set(k, [...own, ...v.filter((item) => isObject(item) && typeof item.type === 'string' && !types.has(item.type))]);
    }
  }
  return out;
}
