// Node lifecycle controller (in kube-controller-manager): a node whose kubelet stopped
// posting status for 40 s turns Ready=Unknown, gets the unreachable taints and its pods
// turn not ready; pods that only tolerate unreachable for 300 s are then evicted.
// When the kubelet posts again the taints go away.
import { deleteObject, keyOf, mutateObject } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import type { Node, Taint } from '../types.js';
import { isTerminating, type TickContext } from './context.js';

export const NODE_MONITOR_GRACE_MS = 40_000;
const UNREACHABLE: Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];
const isUnreachableTaint = (t: Taint) => t.key === 'node.kubernetes.io/unreachable';

function markUnknown(ctx: TickContext, node: Node): void {
  const { state } = ctx;
  const res = mutateObject(state, 'Node', node.metadata.name, (n) => {
    for (const c of n.status.conditions) {
      if (c.status === 'Unknown') continue;
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: state.now });
    }
    n.spec.taints = [...n.spec.taints.filter((t) => !isUnreachableTaint(t)), ...UNREACHABLE.map((t) => ({ ...t }))];
  });
  if (!res.ok) return;
  recordEvent(state, refOf('Node', node), 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`, 'node-controller');
  for (const pod of ctx.podsByNode.get(node.metadata.name) ?? []) {
    mutateObject(state, 'Pod', keyOf(pod), (p) => {
      let changed = false;
      for (const c of p.status.conditions) {
        if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True') {
          Object.assign(c, { status: 'False', lastTransitionTime: state.now });
          changed = true;
        }
      }
      for (const cs of p.status.containerStatuses) if (cs.ready) (cs.ready = false), (changed = true);
      return changed;
    });
    recordEvent(state, refOf('Pod', pod), 'Warning', 'NodeNotReady', 'Node is not ready', 'node-controller');
  }
}

/** Taint-based eviction: pods whose unreachable toleration ran out are deleted (they stay Terminating while the kubelet is gone). */
function evict(ctx: TickContext, node: Node, since: number): void {
  const { state } = ctx;
  for (const pod of ctx.podsByNode.get(node.metadata.name) ?? []) {
    if (isTerminating(pod) || pod.static) continue;
    const tol = pod.spec.tolerations.find((t) => (t.key === 'node.kubernetes.io/unreachable' || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (tol && tol.tolerationSeconds === undefined) continue; // tolerates forever (DaemonSet pods)
    if (state.now - since < (tol?.tolerationSeconds ?? 0) * 1000) continue;
    if (!deleteObject(state, 'Pod', keyOf(pod)).ok) continue;
    recordEvent(state, refOf('Pod', pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${keyOf(pod)}`, 'taint-eviction-controller');
  }
}

export function nodeLifecycleController(ctx: TickContext): void {
  const { state } = ctx;
  for (const name in state.nodes) {
    const node = state.nodes[name]!;
    const ready = node.status.conditions.find((c) => c.type === 'Ready');
    if (!ready) continue;
    const stale = state.now - ready.lastHeartbeatTime > NODE_MONITOR_GRACE_MS;
    if (stale && ready.status !== 'Unknown') markUnknown(ctx, node);
    else if (ready.status === 'Unknown' && stale) evict(ctx, node, ready.lastTransitionTime);
    else if (ready.status === 'True' && node.spec.taints.some(isUnreachableTaint)) {
      const res = mutateObject(state, 'Node', name, (n) => void (n.spec.taints = n.spec.taints.filter((t) => !isUnreachableTaint(t))));
      if (res.ok) recordEvent(state, refOf('Node', node), 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`, 'node-controller');
    }
  }
}
