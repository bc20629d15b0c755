// Garbage collector: objects whose controlling owner no longer exists are deleted
// (pods of a deleted ReplicaSet, ReplicaSets of a deleted Deployment, Endpoints of a
// deleted Service, Jobs of a deleted CronJob, pods of a deleted Job or StatefulSet, its ControllerRevisions), and the pod GC's orphans: pods bound to a
// deleted Node. Runs only after something was deleted.
import { deleteObject, keyOf, objectsOfKind, writeSerial, type Kind } from '../api.js';
import type { ClusterState, ObjectMeta } from '../types.js';
import { changedSince, type TickContext } from './context.js';

const OWNED: Kind[] = ['ReplicaSet', 'Job', 'ControllerRevision', 'Pod'];

function liveUids(state: ClusterState): Set<string> {
  const uids = new Set<string>();
  for (const coll of [state.deployments, state.replicasets, state.daemonsets, state.nodes] as Record<string, { metadata: ObjectMeta }>[]) {
    for (const key in coll) uids.add(coll[key]!.metadata.uid);
  }
  // Kinds kept as JSON own things too (a Job its pods).
  for (const coll of Object.values(state.stored ?? {})) for (const key in coll) uids.add(coll[key]!.metadata.uid);
  return uids;
}

export function garbageCollector(ctx: TickContext): void {
  const { state } = ctx;
  if (!changedSince(garbageCollector, state, String(writeSerial(state, 'deletions')))) return;
  const uids = liveUids(state);
  for (const kind of OWNED) {
    const coll = objectsOfKind(state, kind) as Readonly<Record<string, { metadata: ObjectMeta }>>;
    for (const key in coll) {
      const meta = coll[key]!.metadata;
      const owner = meta.ownerReferences.find((o) => o.controller);
      if (owner && !uids.has(owner.uid) && meta.deletionTimestamp === undefined) deleteObject(state, kind, key);
    }
  }
  // PodGC (pkg/controller/podgc gcOrphaned): a pod bound to a node that no longer exists is
  // force-deleted (no kubelet is left to finish a graceful deletion); its controller makes a
  // new one the scheduler places elsewhere. The real controller looks every 20 s and waits
  // out a 40 s quarantine; here the pass after the node's deletion.
  for (const key in state.pods) {
    const node = state.pods[key]!.spec.nodeName;
    if (node && !state.nodes[node]) deleteObject(state, 'Pod', key, { force: true });
  }
  for (const key in state.endpoints) {
    if (!state.services[key]) deleteObject(state, 'Endpoints', keyOf(state.endpoints[key]!));
  }
}
