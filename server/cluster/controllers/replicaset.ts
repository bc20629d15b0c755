// ReplicaSet controller: keeps the number of live pods equal to spec.replicas.
import { createObject, deleteObject, keyOf, mutateObject, writeSerial } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { podFromTemplate, ownerRef } from '../objects.js';
import { randomSuffix } from '../rng.js';
import type { Pod, ReplicaSet } from '../types.js';
import { changedSince, indexPod, isActivePod, isPodReady, isTerminating, type TickContext } from './context.js';

/**
 * Most pods created per ReplicaSet per second. The real controller creates up to 500 per sync
 * but its client is rate-limited (kube-controller-manager --kube-api-qps); here each new pod
 * costs a tick real work (scheduling, events), so a scale to 100000 must not make one tick
 * create hundreds (the namespace quota then bounds the total).
 */
const CREATE_BURST = 100;

/** Which pods to delete first when scaling down: unscheduled, pending, not ready, then the newest. */
function deletionRank(pod: Pod): number[] {
  return [pod.spec.nodeName ? 1 : 0, pod.status.phase === 'Pending' ? 0 : 1, isPodReady(pod) ? 1 : 0, -pod.metadata.creationTimestamp];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}

function syncReplicaSet(ctx: TickContext, rs: ReplicaSet): void {
  const { state } = ctx;
  const owned = ctx.podsByOwner.get(rs.metadata.uid) ?? [];
  // Failed pods (evicted) no longer count: the ReplicaSet replaces them (controller.FilterActivePods).
  const active = owned.filter((p) => !isTerminating(p) && isActivePod(p));
  const diff = rs.spec.replicas - active.length;
  const ns = rs.metadata.namespace!;
  if (diff > 0) {
    for (let i = 0; i < Math.min(diff, CREATE_BURST); i++) {
      const pod = podFromTemplate(state, rs.spec.template, ns, `${rs.metadata.name}-${randomSuffix(state.rng, 5)}`, ownerRef('ReplicaSet', rs));
      const res = createObject(state, 'Pod', pod, `${rs.metadata.name}-`);
      if (!res.ok) {
        recordEvent(state, refOf('ReplicaSet', rs), 'Warning', 'FailedCreate', `Error creating: ${res.error.message}`, 'replicaset-controller');
        break;
      }
      indexPod(ctx, pod);
      active.push(pod);
      recordEvent(state, refOf('ReplicaSet', rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
    }
  } else if (diff < 0) {
    const victims = [...active].sort((a, b) => compareRanks(deletionRank(a), deletionRank(b))).slice(0, -diff);
    for (const pod of victims) {
      if (!deleteObject(state, 'Pod', keyOf(pod)).ok) break;
      active.splice(active.indexOf(pod), 1);
      recordEvent(state, refOf('ReplicaSet', rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller');
    }
  }
  const ready = active.filter(isPodReady).length;
  const s = rs.status;
  if (s.replicas !== active.length || s.readyReplicas !== ready || s.availableReplicas !== ready || s.observedGeneration !== rs.metadata.generation) {
    mutateObject(state, 'ReplicaSet', keyOf(rs), (r) => {
      r.status = { replicas: active.length, readyReplicas: ready, availableReplicas: ready, fullyLabeledReplicas: active.length, observedGeneration: r.metadata.generation };
    });
  }
}

export function replicaSetController(ctx: TickContext): void {
  const { state } = ctx;
  if (!changedSince(replicaSetController, state, `${writeSerial(state, 'Pod')}/${writeSerial(state, 'ReplicaSet')}`)) return;
  for (const key in state.replicasets) syncReplicaSet(ctx, state.replicasets[key]!);
}
