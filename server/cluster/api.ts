// The apiserver write path. Every create/update/delete of an API object goes through here:
// it checks that the apiserver is up and etcd accepts writes, bumps the etcd revision,
// stamps metadata.resourceVersion and grows the etcd database by the object's size.
import { recordManager } from './managed-fields.js';
import { admissionRefusal } from './quota.js';
import { applyLimitRanges } from './limit-range.js';
import { quotaRefusal } from './resource-quota.js';
import { etcdDiskFull } from './host.js';
import { randomHex, sideRng } from './rng.js';
import { admitClaim, admitVolume, claimInUse } from './volumes.js';
import { defaultStatefulSet } from './controllers/statefulset.js';
import { isStoredKind, STORED_KINDS, storedKindInfo, type StoredKind } from './stored-kinds.js';
import { expiredCert, x509Expired } from './pki.js';
import { excessMessage, jsonCopy, objectExcess } from './json.js';
import type {
  ApiError, ApiResult, ClusterState, ConfigMap, DaemonSet, Deployment, Endpoints, Namespace, Node, ObjectMeta, Pod, ReplicaSet, RngState, Service, StoredObject,
} from './types.js';

interface BuiltinKindMap {
  Pod: Pod;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  DaemonSet: DaemonSet;
  Service: Service;
  Endpoints: Endpoints;
  ConfigMap: ConfigMap;
  Node: Node;
  Namespace: Namespace;
}
type BuiltinKind = keyof BuiltinKindMap;
export type KindMap = BuiltinKindMap & { [K in StoredKind]: StoredObject };
export type Kind = keyof KindMap;

type Collection = 'pods' | 'deployments' | 'replicasets' | 'daemonsets' | 'services' | 'endpoints' | 'configmaps' | 'nodes' | 'namespaces';
export const COLLECTION: { [K in BuiltinKind]: Collection } = {
  Pod: 'pods', Deployment: 'deployments', ReplicaSet: 'replicasets', DaemonSet: 'daemonsets', Service: 'services',
  Endpoints: 'endpoints', ConfigMap: 'configmaps', Node: 'nodes', Namespace: 'namespaces',
};

/** The resource name the apiserver uses in its messages: `pods "x" not found`. */
export function resourceName(kind: Kind): string {
  if (!isStoredKind(kind)) return RESOURCE_NAME[kind];
  const info = storedKindInfo(kind)!;
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

const RESOURCE_NAME: { [K in BuiltinKind]: string } = {
  Pod: 'pods', Deployment: 'deployments.apps', ReplicaSet: 'replicasets.apps', DaemonSet: 'daemonsets.apps', Service: 'services',
  Endpoints: 'endpoints', ConfigMap: 'configmaps', Node: 'nodes', Namespace: 'namespaces',
};

/** Typical stored size of an object in etcd (protobuf plus key); exact bytes do not matter. */
const STORED_SIZE: { [K in BuiltinKind]: number } = {
  Pod: 3_600, Deployment: 2_400, ReplicaSet: 2_200, DaemonSet: 2_600, Service: 900, Endpoints: 700, ConfigMap: 500, Node: 4_800, Namespace: 300,
};
export const EVENT_SIZE = 650;
export const LEASE_SIZE = 350;

function collection<K extends Kind>(state: ClusterState, kind: K): Record<string, KindMap[K]> {
  if (isStoredKind(kind)) return ((state.stored ??= {})[kind] ??= {}) as Record<string, KindMap[K]>;
  return state[COLLECTION[kind as BuiltinKind]] as unknown as Record<string, KindMap[K]>;
}

const NO_OBJECTS: Record<string, never> = Object.freeze({});

/** Every object of a kind by key, for reading only (no write path creates anything here). */
export function objectsOfKind<K extends Kind>(state: ClusterState, kind: K): Readonly<Record<string, KindMap[K]>> {
  if (isStoredKind(kind)) return (state.stored?.[kind] ?? NO_OBJECTS) as Record<string, KindMap[K]>;
  return collection(state, kind);
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(obj: { metadata: { namespace?: string; name: string } }): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name);
}

/** A fresh uid (8-4-4-4-12 hex) from the seeded generator. */
export function newUid(state: ClusterState): string {
  state.nextUid++;
  return uuidFrom(state.rng);
}

/**
 * The uid the apiserver gives an object a dry-run create makes (it assigns one, and no
 * resourceVersion): derived from the generator's state and the object without advancing it,
 * so a dry run leaves the uids and names later writes get as they were.
 */
export function dryRunUid(state: ClusterState, kind: string, namespace: string | undefined, name: string): string {
  return uuidFrom(sideRng(state.rng, `dry-run ${kind} ${namespace ?? ''}/${name}`));
}

function uuidFrom(rng: RngState): string {
  const h = randomHex(rng, 32);
  // A version-4 UUID, as the apiserver's uuid.NewUUID gives: version nibble 4, variant 10xx.
  const variant = '89ab'[parseInt(h[16]!, 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

export const err = (status: number, reason: ApiError['reason'], message: string): { ok: false; error: ApiError } => ({
  ok: false, error: { status, reason, message },
});

/**
 * Runs a client's request (a kubectl command, an API call) and gives the errors a condition of
 * the world made the apiserver answer it meanwhile (`state.answeredErrors`): what evidence of
 * such an error is made of, rather than the text the client printed, which may echo a name the
 * player chose (a pod named after an etcd error).
 */
export function answering<T>(state: ClusterState, run: () => T): { value: T; errors: ApiError[] } {
  const outer = state.answeredErrors;
  const errors: ApiError[] = [];
  state.answeredErrors = errors;
  try {
    return { value: run(), errors };
  } finally {
    state.answeredErrors = outer;
  }
}

/** The error, noted as answered to the client running now (each message once). */
function answered(state: ClusterState, error: ApiError | null): ApiError | null {
  const list = state.answeredErrors;
  if (error && list && !list.some((e) => e.message === error.message)) list.push(error);
  return error;
}

/**
 * Why the apiserver cannot serve any request right now, or null. Status 0 means the TCP
 * connection itself failed: the message is kubectl's own line and is printed as is.
 */
export function apiUnavailable(state: ClusterState): ApiError | null {
  const host = state.controlPlane.apiserver.endpoint.replace(/^https:\/\//, '');
  if (!apiserverUp(state)) {
    return answered(state, { status: 0, reason: 'ServiceUnavailable', message: `The connection to the server ${host} was refused - did you specify the right host or port?` });
  }
  // Every client verifies the serving certificate (kubectl, kubelets, controllers alike).
  const serving = expiredCert(state, 'apiserver');
  if (serving) return answered(state, { status: 0, reason: 'ServiceUnavailable', message: `${UNABLE_TO_CONNECT}tls: failed to verify certificate: ${x509Expired(state, serving)}` });
  if (!state.etcd.healthy) return answered(state, { status: 500, reason: 'InternalError', message: ETCD_TIMEOUT_MESSAGE });
  return null;
}

/**
 * Whether a kube-apiserver process stays up once started: it exits when etcd is gone, or
 * when it cannot complete a TLS handshake with etcd (etcd's serving certificate expired).
 */
export function apiserverCanRun(state: ClusterState): boolean {
  return state.controlPlane.apiserver.running && !state.etcd.dataLost && !expiredCert(state, 'etcd-server');
}

/** The apiserver answers: it can run, and its static pod's container is not down after a crash (exited, or in its back-off). */
export function apiserverUp(state: ClusterState): boolean {
  if (!apiserverCanRun(state)) return false;
  const cs = state.pods[`kube-system/kube-apiserver-${state.etcd.nodeName}`]?.status.containerStatuses[0];
  return !cs || !(cs.state.kind === 'terminated' || (cs.state.kind === 'waiting' && cs.lastState?.kind === 'terminated'));
}

/** kubectl's prefix for a request that never reached the server (a url.Error), e.g. its TLS check failing. */
export const UNABLE_TO_CONNECT = 'Unable to connect to the server: ';

export const NOSPACE_MESSAGE = 'etcdserver: mvcc: database space exceeded';
export const ETCD_TIMEOUT_MESSAGE = 'etcdserver: request timed out';

/** Why a write would fail right now (apiserver down, or etcd's NOSPACE alarm), or null. */
export function writeRefused(state: ClusterState): ApiError | null {
  const down = apiUnavailable(state);
  if (down) return down;
  if (state.etcd.alarms.some((a) => a.alarm === 'NOSPACE')) return answered(state, { status: 500, reason: 'InternalError', message: NOSPACE_MESSAGE });
  // etcd cannot append to its WAL: the write never commits and the apiserver gives up waiting.
  if (etcdDiskFull(state)) return answered(state, { status: 500, reason: 'InternalError', message: ETCD_TIMEOUT_MESSAGE });
  return null;
}

// Writes per kind since the state was loaded, so controllers can skip work when nothing
// they watch changed, and listings can re-read only the objects written since they were
// built. Kept outside the state: losing it (a clone) only costs one full pass.
interface WriteLog {
  serial: number;
  /** Serial of the latest create or delete (the set of keys changed then). */
  membership: number;
  /** Keys of the latest writes: keys[i] was written at serial `serial - keys.length + 1 + i`. */
  keys: string[];
}
const writeLogs = new WeakMap<ClusterState, Partial<Record<Kind | 'deletions', WriteLog>>>();

/** How many recent keys a kind's log keeps; a listing older than that is rebuilt. */
const WRITE_LOG_KEYS = 1024;

/** A number that changes whenever an object of this kind was written. -1 = unknown. */
export function writeSerial(state: ClusterState, kind: Kind | 'deletions'): number {
  return writeLogs.get(state)?.[kind]?.serial ?? -1;
}

/**
 * Keys of the objects of this kind written after `serial` (in write order, maybe repeated),
 * provided none was created or deleted since; otherwise undefined, and the reader re-reads all.
 */
export function updatedSince(state: ClusterState, kind: Kind, serial: number): string[] | undefined {
  const log = writeLogs.get(state)?.[kind];
  if (!log || serial < log.membership || serial > log.serial || log.serial - serial > log.keys.length) return undefined;
  return log.keys.slice(log.keys.length - (log.serial - serial));
}

function countWrite(state: ClusterState, kind: Kind | 'deletions', key: string, membership: boolean): void {
  let logs = writeLogs.get(state);
  if (!logs) writeLogs.set(state, (logs = {}));
  const log = (logs[kind] ??= { serial: 0, membership: 0, keys: [] });
  log.serial++;
  if (membership) log.membership = log.serial;
  log.keys.push(key);
  if (log.keys.length > 2 * WRITE_LOG_KEYS) log.keys = log.keys.slice(-WRITE_LOG_KEYS);
}

/**
 * An object changed without an apiserver write: the kubelet runs its static pods on its own
 * while it cannot report them, and a fault can stop their processes. Nothing reaches etcd,
 * but everything that reads the object (controllers' skips, cached listings) must see it.
 */
export function noteLocalChange(state: ClusterState, kind: Kind, obj: KindMap[Kind]): void {
  countWrite(state, kind, keyOf(obj), false);
}

// How many objects of each kind every namespace holds, for the quota. Kept up to date by
// createObject and deleteObject (the only writes that add or remove objects once a cluster is
// built); counted again whenever the kind's membership serial says it changed otherwise
// (a clone, the build), so a clone admits exactly what the original would.
interface ObjectCounts {
  membership: number;
  byNamespace: Map<string, number>;
  total: number;
}
const objectCounts = new WeakMap<ClusterState, Partial<Record<Kind, ObjectCounts>>>();

/** Objects were laid down without the write path (createCluster's last step): count them again. */
export function forgetCounts(state: ClusterState): void {
  objectCounts.delete(state);
}

function countsOf(state: ClusterState, kind: Kind): ObjectCounts {
  let all = objectCounts.get(state);
  if (!all) objectCounts.set(state, (all = {}));
  const membership = writeLogs.get(state)?.[kind]?.membership ?? -1;
  const kept = all[kind];
  if (kept?.membership === membership) return kept;
  const counts: ObjectCounts = { membership, byNamespace: new Map(), total: 0 };
  for (const key in objectsOfKind(state, kind)) {
    const slash = key.indexOf('/');
    const ns = slash < 0 ? '' : key.slice(0, slash);
    counts.byNamespace.set(ns, (counts.byNamespace.get(ns) ?? 0) + 1);
    counts.total++;
  }
  all[kind] = counts;
  return counts;
}

/** After a create (+1) or delete (-1) of `key`: the counts follow, if they were current before it. */
function recount(state: ClusterState, kind: Kind, key: string, delta: 1 | -1, before: number): void {
  const counts = objectCounts.get(state)?.[kind];
  if (counts?.membership !== before) return; // stale anyway: counted again when next needed
  const slash = key.indexOf('/');
  const ns = slash < 0 ? '' : key.slice(0, slash);
  counts.byNamespace.set(ns, (counts.byNamespace.get(ns) ?? 0) + delta);
  counts.total += delta;
  counts.membership = writeLogs.get(state)![kind]!.membership;
}

/** Every kind the ceiling counts: those with a model and those kept as JSON. */
const ALL_KINDS: Kind[] = [...(Object.keys(COLLECTION) as Kind[]), ...STORED_KINDS.map((k) => k.kind)];

/** Kinds by the resource a quota names them with (`count/deployments.apps`, `services`). */
const KIND_BY_RESOURCE = new Map<string, Kind>(ALL_KINDS.map((kind) => [resourceName(kind), kind]));

/** How many objects of the kind a ResourceQuota name counts (`count/jobs.batch`, `secrets`) a namespace holds. */
export function countByQuotaName(state: ClusterState, namespace: string, name: string): number {
  const kind = KIND_BY_RESOURCE.get(name.startsWith('count/') ? name.slice('count/'.length) : name);
  return kind ? (countsOf(state, kind).byNamespace.get(namespace) ?? 0) : 0;
}

function totalObjects(state: ClusterState): number {
  let total = 0;
  for (const kind of ALL_KINDS) total += countsOf(state, kind).total;
  return total;
}

/** Record one committed write of `bytes` in etcd: new revision, bigger backend. */
export function commitWrite(state: ClusterState, bytes: number): number {
  const etcd = state.etcd;
  etcd.revision++;
  etcd.raftIndex++;
  etcd.dbSize += bytes;
  etcd.dbSizeInUse += bytes;
  return etcd.revision;
}

function stamp(state: ClusterState, kind: Kind, obj: KindMap[Kind], created = false): void {
  let bytes = isStoredKind(kind) ? 400 + JSON.stringify((obj as StoredObject).fields).length : STORED_SIZE[kind as BuiltinKind];
  if (kind === 'ConfigMap') for (const v of Object.values((obj as ConfigMap).data)) bytes += v.length;
  obj.metadata.resourceVersion = commitWrite(state, bytes);
  recordManager(state, obj.metadata);
  countWrite(state, kind, keyOf(obj), created);
  if (kind === 'Pod') notifyKubelet(state, obj as Pod);
}

/** The kubelet of the pod's node watches its pods: it wakes up on the next step. */
function notifyKubelet(state: ClusterState, pod: Pod): void {
  const node = pod.spec.nodeName ? state.nodes[pod.spec.nodeName] : undefined;
  if (node) node.host.kubeletSync.dirtyRevision = state.etcd.revision;
}

/** The object at `key`, only one the collection holds: `kubectl cordon constructor` found Object. */
export function getObject<K extends Kind>(state: ClusterState, kind: K, key: string): KindMap[K] | undefined {
  const objects = objectsOfKind(state, kind);
  return Object.hasOwn(objects, key) ? objects[key] : undefined;
}

/**
 * A client's write (state.fieldManager set) of an object past the ceilings on one object
 * (json.ts): a body or manifest past them is refused before it is built, but merge patches,
 * several managers' server-side applies, or `label`, `set env` and `taint` a line at a time grew
 * one past them (27,000 env entries in 30 patches: 0.9 s a write, then every tick of the room
 * 70 ms). Controllers' writes are not checked: they copy what clients were let write.
 */
function clientExcess(state: ClusterState, obj: object): ApiError | null {
  if (!state.fieldManager) return null;
  const excess = objectExcess(obj);
  return excess ? { status: 413, reason: 'RequestEntityTooLarge', message: `Request entity too large: the object ${excessMessage(excess)}` } : null;
}

/** A copy of what a change may touch: all but a node's host (which no API write reaches). */
const restorable = (obj: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => k !== 'host').map(([k, v]) => [k, jsonCopy(v)]));

function restore(obj: object, before: Record<string, unknown>): void {
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'host' && !(k in before)) delete o[k];
  Object.assign(o, before);
}

/**
 * Create an object, if admission lets it in (quota, the cluster's ceiling). A controller that
 * names its objects itself passes the `generateName` prefix, which refusals name, as the real
 * apiserver's do (`pods "web-7d4b9-" is forbidden`).
 */
export function createObject<K extends Kind>(state: ClusterState, kind: K, obj: KindMap[K], generateName?: string): ApiResult<KindMap[K]> {
  const refused = writeRefused(state) ?? clientExcess(state, obj);
  if (refused) return { ok: false, error: refused };
  const key = keyOf(obj);
  const objects = collection(state, kind);
  if (objects[key]) return err(409, 'AlreadyExists', `${resourceName(kind)} "${obj.metadata.name}" already exists`);
  if (obj.metadata.namespace && !state.namespaces[obj.metadata.namespace]) {
    return err(404, 'NotFound', `namespaces "${obj.metadata.namespace}" not found`);
  }
  const counts = countsOf(state, kind);
  const used = counts.byNamespace.get(obj.metadata.namespace ?? '') ?? 0;
  const refusal = admissionRefusal(state.limits, kind, { used, total: totalObjects(state) }, { resource: resourceName(kind), name: generateName ?? obj.metadata.name });
  if (refusal) return { ok: false, error: refusal };
  const namespace = obj.metadata.namespace;
  if (namespace) {
    const limited = kind === 'Pod' ? applyLimitRanges(state, obj as Pod) : null;
    if (limited) return { ok: false, error: limited };
    const what = { resource: resourceName(kind), name: generateName ?? obj.metadata.name, ...(kind === 'Pod' ? { pod: obj as Pod } : {}) };
    const overQuota = quotaRefusal(state, namespace, what, (name) => countByQuotaName(state, namespace, name));
    if (overQuota) return { ok: false, error: overQuota };
  }
  if (kind === 'PersistentVolumeClaim') admitClaim(state, obj as StoredObject);
  if (kind === 'PersistentVolume') admitVolume(obj as StoredObject);
  if (kind === 'StatefulSet') defaultStatefulSet(obj as StoredObject);
  if (kind === 'Namespace') labelNamespace(obj);
  if (!obj.metadata.uid) obj.metadata.uid = newUid(state);
  objects[key] = obj;
  stamp(state, kind, obj, true);
  recount(state, kind, key, 1, counts.membership);
  return { ok: true, value: obj };
}

/** The apiserver labels every namespace with its own name (NamespaceDefaultLabelName, GA in 1.22). */
function labelNamespace(obj: { metadata: ObjectMeta }): void {
  obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
}

/** Replace a stored object with `obj` (same key). */
export function updateObject<K extends Kind>(state: ClusterState, kind: K, obj: KindMap[K]): ApiResult<KindMap[K]> {
  const refused = writeRefused(state) ?? clientExcess(state, obj);
  if (refused) return { ok: false, error: refused };
  const key = keyOf(obj);
  const objects = collection(state, kind);
  if (!objects[key]) return err(404, 'NotFound', `${resourceName(kind)} "${obj.metadata.name}" not found`);
  if (kind === 'StatefulSet') defaultStatefulSet(obj as StoredObject);
  if (kind === 'Namespace') labelNamespace(obj);
  objects[key] = obj;
  stamp(state, kind, obj);
  return { ok: true, value: obj };
}

/**
 * Change a stored object in place. `change` runs only if the write can succeed, so a
 * refused write leaves the object exactly as it was. Controllers use this for status;
 * `change` may return false to say it changed nothing (then no revision is written).
 */
export function mutateObject<K extends Kind>(state: ClusterState, kind: K, key: string, change: (obj: KindMap[K]) => void | boolean): ApiResult<KindMap[K]> {
  const refused = writeRefused(state);
  if (refused) return { ok: false, error: refused };
  const obj = getObject(state, kind, key);
  if (!obj) return err(404, 'NotFound', `${resourceName(kind)} "${key.slice(key.indexOf('/') + 1)}" not found`);
  // A client's change is undone when it leaves the object past the ceilings (clientExcess).
  const before = state.fieldManager ? restorable(obj) : undefined;
  if (change(obj) === false) return { ok: true, value: obj }; // nothing changed: no write
  const tooLarge = before && clientExcess(state, obj);
  if (tooLarge) {
    restore(obj, before);
    return { ok: false, error: tooLarge };
  }
  stamp(state, kind, obj);
  return { ok: true, value: obj };
}

export interface DeleteOptions {
  /** Pods only: seconds the containers get after SIGTERM; default the pod's own setting. */
  gracePeriodSeconds?: number;
  /** Remove at once even if a kubelet still has to stop the containers (`--force --grace-period=0`). */
  force?: boolean;
}

/**
 * Delete an object. A pod bound to a node is only marked (deletionTimestamp = now + grace):
 * its kubelet stops the containers and removes it, so it shows `Terminating` meanwhile.
 */
export function deleteObject<K extends Kind>(state: ClusterState, kind: K, key: string, opts: DeleteOptions = {}): ApiResult<KindMap[K]> {
  const refused = writeRefused(state);
  if (refused) return { ok: false, error: refused };
  const objects = collection(state, kind);
  const obj = objects[key];
  if (!obj) return err(404, 'NotFound', `${resourceName(kind)} "${key.slice(key.indexOf('/') + 1)}" not found`);
  if (kind === 'Pod' && !opts.force) {
    const pod = obj as Pod;
    const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
    if (pod.spec.nodeName && grace > 0) {
      if (pod.metadata.deletionTimestamp === undefined) {
        pod.metadata.deletionTimestamp = state.now + grace * 1000;
        stamp(state, kind, obj);
      }
      return { ok: true, value: obj };
    }
  }
  if (kind === 'PersistentVolumeClaim' && !opts.force && claimInUse(state, obj as StoredObject)) {
    if (obj.metadata.deletionTimestamp === undefined) {
      obj.metadata.deletionTimestamp = state.now;
      stamp(state, kind, obj);
    }
    return { ok: true, value: obj };
  }
  delete objects[key];
  commitWrite(state, 120); // a tombstone revision
  if (kind === 'Pod') notifyKubelet(state, obj as Pod);
  const before = writeLogs.get(state)?.[kind]?.membership ?? -1;
  countWrite(state, kind, key, true);
  recount(state, kind, key, -1, before);
  countWrite(state, 'deletions', key, true);
  return { ok: true, value: obj };
}
