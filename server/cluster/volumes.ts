// PersistentVolumeClaims, PersistentVolumes and StorageClasses as the apiserver, the scheduler's
// volumebinding plugin and the PV controller read them (all kept as JSON in `state.stored`).
import { objectKey, objectsOfKind } from './api.js';
import { jsonObject } from './json.js';
import { requirementMatches } from './controllers/scheduling.js';
import type { ClusterState, JsonValue, Node, NodeSelectorRequirement, Pod, StoredObject } from './types.js';

export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

const spec = (o: StoredObject): { [k: string]: JsonValue } => jsonObject(o.fields.spec);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The StorageClass marked default (the newest one if several are, as the admission plugin picks). */
export function defaultStorageClass(state: ClusterState): StoredObject | undefined {
  let best: StoredObject | undefined;
  for (const sc of Object.values(objectsOfKind(state, 'StorageClass'))) {
    if (sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'] !== 'true') continue;
    if (!best || sc.metadata.creationTimestamp > best.metadata.creationTimestamp) best = sc;
  }
  return best;
}

/**
 * What the apiserver sets on a new claim: the DefaultStorageClass admission plugin names the
 * default class when the claim names none (an explicit "" stays ""), volumeMode defaults to
 * Filesystem, and the claim starts Pending.
 */
export function admitClaim(state: ClusterState, claim: StoredObject): void {
  const s = { ...spec(claim) };
  if (s.storageClassName === undefined) {
    const sc = defaultStorageClass(state);
    if (sc) s.storageClassName = sc.metadata.name;
  }
  s.volumeMode ??= 'Filesystem';
  claim.fields.spec = s;
  if (jsonObject(claim.fields.status).phase === undefined) claim.fields.status = { phase: 'Pending' };
}

/** A PersistentVolume's defaults (SetDefaults_PersistentVolume): Retain, Filesystem. */
export function admitVolume(pv: StoredObject): void {
  pv.fields.spec = { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', ...spec(pv) };
}

export const claimClassName = (claim: StoredObject): string => str(spec(claim).storageClassName) ?? '';
export const storageClass = (state: ClusterState, name: string): StoredObject | undefined => (name ? objectsOfKind(state, 'StorageClass')[name] : undefined);
export const isBound = (o: StoredObject): boolean => jsonObject(o.fields.status).phase === 'Bound';

/** True when binding waits for a pod to be scheduled (volumeBindingMode WaitForFirstConsumer). */
export function waitsForConsumer(state: ClusterState, claim: StoredObject): boolean {
  return str(storageClass(state, claimClassName(claim))?.fields.volumeBindingMode) === 'WaitForFirstConsumer';
}

/**
 * A pod that has not terminated and names the claim: the pvc-protection controller keeps a
 * deleted claim (Terminating, finalizer kubernetes.io/pvc-protection) while one exists.
 */
export function claimInUse(state: ClusterState, claim: StoredObject): boolean {
  for (const key in state.pods) {
    const p = state.pods[key]!;
    if (p.metadata.namespace !== claim.metadata.namespace || p.status.phase === 'Succeeded' || p.status.phase === 'Failed') continue;
    if (p.spec.claims?.some((c) => c.claimName === claim.metadata.name)) return true;
  }
  return false;
}

/** The claims a pod names, by claim name (undefined when the claim does not exist). */
export function podClaims(state: ClusterState, pod: Pod): { name: string; claim: StoredObject | undefined }[] {
  const claims = objectsOfKind(state, 'PersistentVolumeClaim');
  return (pod.spec.claims ?? []).map((c) => ({ name: c.claimName, claim: claims[objectKey(pod.metadata.namespace, c.claimName)] }));
}

/** A PV's spec.nodeAffinity.required as OR-ed terms of AND-ed requirements (none: any node). */
export function volumeNodeTerms(pv: StoredObject): NodeSelectorRequirement[][] {
  const terms = jsonObject(jsonObject(jsonObject(spec(pv).nodeAffinity).required)).nodeSelectorTerms;
  if (!Array.isArray(terms)) return [];
  return terms.map((t) => {
    const exprs = jsonObject(t).matchExpressions;
    return (Array.isArray(exprs) ? exprs : []).map((e) => {
      const x = jsonObject(e);
      const values = Array.isArray(x.values) ? x.values.filter((v): v is string => typeof v === 'string') : undefined;
      return { key: str(x.key) ?? '', operator: (str(x.operator) ?? 'In') as NodeSelectorRequirement['operator'], ...(values ? { values } : {}) };
    });
  });
}

/** Whether a node may use the volume (the PV's node affinity; CheckNodeAffinity in the binder). */
export function volumeFitsNode(pv: StoredObject, node: Node): boolean {
  const terms = volumeNodeTerms(pv);
  return terms.length === 0 || terms.some((term) => term.every((r) => requirementMatches(node.metadata.labels, r)));
}

/** What the volumebinding plugin found for a pod's claims. */
export interface PodVolumes {
  /** PreFilter's refusal (the same for every node), e.g. `pod has unbound immediate PersistentVolumeClaims`. */
  preFilter?: string;
  /** A claim has its node selected and waits for its volume (the pod waits in PreBind). */
  waiting: boolean;
  /** The PVs of the bound claims (a missing one is undefined). */
  bound: (StoredObject | undefined)[];
  /** Unbound WaitForFirstConsumer claims, bound once the pod has a node. */
  delayed: StoredObject[];
}

/** pkg/scheduler/framework/plugins/volumebinding (v1.29): PreFilter over the pod's claims. */
export function podVolumes(state: ClusterState, pod: Pod): PodVolumes {
  const out: PodVolumes = { waiting: false, bound: [], delayed: [] };
  const volumes = objectsOfKind(state, 'PersistentVolume');
  for (const { name, claim } of podClaims(state, pod)) {
    if (!claim) return { ...out, preFilter: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata.deletionTimestamp !== undefined) return { ...out, preFilter: `persistentvolumeclaim "${name}" is being deleted` };
    const volumeName = str(spec(claim).volumeName);
    if (isBound(claim) && volumeName) out.bound.push(volumes[volumeName]);
    else if (!waitsForConsumer(state, claim)) out.preFilter = 'pod has unbound immediate PersistentVolumeClaims';
    else if (claim.metadata.annotations[SELECTED_NODE]) out.waiting = true;
    else out.delayed.push(claim);
  }
  return out;
}

/** The plugin's Filter on one node: the reason it cannot use the pod's volumes there, or undefined. */
export function volumeConflict(v: PodVolumes, node: Node): string | undefined {
  if (v.bound.some((pv) => pv === undefined)) return 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
  if (v.bound.some((pv) => !volumeFitsNode(pv!, node))) return 'node(s) had volume node affinity conflict';
  return undefined;
}
