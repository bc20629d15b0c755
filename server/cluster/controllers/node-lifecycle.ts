// Node lifecycle controller (in kube-controller-manager): a node whose kubelet stopped
// posting status for 40 s turns Ready=Unknown and gets the unreachable taints; a node whose
// kubelet posts Ready=False (e.g. its container runtime is down) gets the not-ready taints.
// Either way its pods turn not ready, and pods that tolerate the NoExecute taint only for
// 300 s are then evicted. Conditions other than Ready taint too (TaintNodesByCondition:
// DiskPressure → disk-pressure:NoSchedule). When the condition clears the taints go away.
import { deleteObject, keyOf, mutateObject } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import type { Node, NodeCondition, Taint } from '../types.js';
import { isTerminating, type TickContext } from './context.js';

export const NODE_MONITOR_GRACE_MS = 40_000;
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';

/** The taints a node's conditions call for (keys this controller owns). */
function wantedTaints(node: Node): Taint[] {
  const cond = (type: NodeCondition['type']) => node.status.conditions.find((c) => c.type === type)?.status;
  const out: Taint[] = [];
  const ready = cond('Ready');
  if (ready === 'Unknown') out.push({ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute' });
  if (ready === 'False') out.push({ key: NOT_READY, effect: 'NoSchedule' }, { key: NOT_READY, effect: 'NoExecute' });
  if (cond('DiskPressure') === 'True') out.push({ key: DISK_PRESSURE, effect: 'NoSchedule' });
  return out;
}

const OWNED = new Set([UNREACHABLE, NOT_READY, DISK_PRESSURE]);
const taintId = (t: Taint) => `${t.key}:${t.effect}`;

/** Bring the node's condition taints in line; true if they changed. */
function syncTaints(ctx: TickContext, node: Node): boolean {
  const wanted = wantedTaints(node);
  const have = node.spec.taints.filter((t) => OWNED.has(t.key)).map(taintId).sort().join(',');
  if (have === wanted.map(taintId).sort().join(',')) return false;
  return mutateObject(ctx.state, 'Node', node.metadata.name, (n) => {
    n.spec.taints = [...n.spec.taints.filter((t) => !OWNED.has(t.key)), ...wanted];
  }).ok;
}

function markUnknown(ctx: TickContext, node: Node, at: number): void {
  const { state } = ctx;
  const res = mutateObject(state, 'Node', node.metadata.name, (n) => {
    for (const c of n.status.conditions) {
      if (c.status === 'Unknown') continue;
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at });
    }
  });
  if (res.ok) markPodsNotReady(ctx, node);
}

function markPodsNotReady(ctx: TickContext, node: Node): void {
  const { state } = ctx;
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

/** Taint-based eviction: pods whose toleration of the NoExecute taint ran out are deleted (they stay Terminating while the kubelet cannot kill them). */
function evict(ctx: TickContext, node: Node, key: string, since: number): void {
  const { state } = ctx;
  for (const pod of ctx.podsByNode.get(node.metadata.name) ?? []) {
    if (isTerminating(pod) || pod.static) continue;
    const tol = pod.spec.tolerations.find((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
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
    const wasReady = !node.spec.taints.some((t) => t.key === UNREACHABLE || t.key === NOT_READY);
    // The node went silent when its last heartbeat aged past the grace period.
    if (stale && ready.status !== 'Unknown') markUnknown(ctx, node, Math.min(state.now, ready.lastHeartbeatTime + NODE_MONITOR_GRACE_MS));
    else if (ready.status === 'False' && wasReady) markPodsNotReady(ctx, node);
    const changed = syncTaints(ctx, node);
    if (ready.status === 'Unknown' && stale) evict(ctx, node, UNREACHABLE, ready.lastTransitionTime);
    else if (ready.status === 'False') evict(ctx, node, NOT_READY, ready.lastTransitionTime);
    else if (ready.status === 'True' && changed && !wasReady) recordEvent(state, refOf('Node', node), 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`, 'node-controller');
  }
}
