// The kubelet's eviction manager for disk (pkg/kubelet/eviction, v1.29 defaults): when the
// node's root filesystem has less than nodefs.available 10 % left, the node reports
// DiskPressure (the node lifecycle controller taints it disk-pressure:NoSchedule), image
// garbage collection tries first, then one pod is evicted per monitoring period (10 s): its
// containers are killed and it stays as a Failed pod with reason Evicted, which its owner
// replaces. The pressure is reported until the threshold has not been met for
// evictionPressureTransitionPeriod (5 min).
import { keyOf, mutateObject } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { kubeletSay } from '../host.js';
import type { ClusterState, Node, Pod } from '../types.js';
import { isActivePod, isTerminating } from './context.js';

const NODEFS_AVAILABLE = 0.1;
const MONITORING_MS = 10_000;
export const PRESSURE_TRANSITION_MS = 5 * 60_000;
const IMAGE_GC_MS = 5 * 60_000;
/** Pods the eviction manager never picks (kubelet: critical pods; DaemonSet pods come straight back). */
const CRITICAL = new Set(['system-node-critical', 'system-cluster-critical']);
const QOS_RANK = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;

const say = (state: ClusterState, node: Node, severity: 'I' | 'W' | 'E', source: string, message: string): void =>
  kubeletSay(state, node.metadata.name, severity, source, message);

function setDiskPressure(state: ClusterState, node: Node, on: boolean): void {
  mutateObject(state, 'Node', node.metadata.name, (n) => {
    const c = n.status.conditions.find((x) => x.type === 'DiskPressure');
    if (!c) return false;
    Object.assign(c, on
      ? { status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' });
    c.lastTransitionTime = state.now;
    c.lastHeartbeatTime = state.now;
    return true;
  });
  const reason = on ? 'NodeHasDiskPressure' : 'NodeHasNoDiskPressure';
  recordEvent(state, refOf('Node', node), 'Normal', reason, `Node ${node.metadata.name} status is now: ${reason}`, 'kubelet', node.metadata.name);
}

/**
 * The kubelet ends a pod for good: its containers are killed and it stays as a Failed pod
 * with REASON (Evicted, DeadlineExceeded), which its owner replaces.
 */
export function failPod(state: ClusterState, node: Node, pod: Pod, reason: string, message: string, eventType: 'Normal' | 'Warning'): void {
  mutateObject(state, 'Pod', keyOf(pod), (p) => {
    p.status.phase = 'Failed';
    p.status.reason = reason;
    p.status.message = message;
    for (const cs of p.status.containerStatuses) {
      if (cs.state.kind === 'running') cs.state = { kind: 'terminated', reason: 'Error', exitCode: 137, startedAt: cs.state.startedAt, finishedAt: state.now };
      cs.ready = false;
    }
    for (const c of p.status.conditions) if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True') Object.assign(c, { status: 'False', lastTransitionTime: state.now });
  });
  recordEvent(state, refOf('Pod', pod), eventType, reason, message, 'kubelet', node.metadata.name);
}

function evict(state: ClusterState, node: Node, pod: Pod, message: string): void {
  failPod(state, node, pod, 'Evicted', message, 'Warning');
  say(state, node, 'I', 'eviction_manager.go:616', `"Eviction manager: pod is evicted successfully" pod="${keyOf(pod)}"`);
}

/** One pass of the eviction manager on a node whose kubelet works. */
export function evictionManager(state: ClusterState, node: Node, pods: Pod[], dt: number): void {
  const host = node.host;
  const root = host.filesystems.find((f) => f.mount === '/');
  if (!root) return;
  const available = root.size - root.used;
  const threshold = Math.floor(NODEFS_AVAILABLE * root.size);
  const met = available < threshold;
  const pressure = node.status.conditions.find((c) => c.type === 'DiskPressure')?.status === 'True';
  if (met) host.diskPressureSeenAt = state.now;
  if (!met) {
    if (pressure && state.now - (host.diskPressureSeenAt ?? -Infinity) >= PRESSURE_TRANSITION_MS) setDiskPressure(state, node, false);
    return;
  }
  // The manager looks every 10 s.
  if (Math.floor((state.now - dt) / MONITORING_MS) === Math.floor(state.now / MONITORING_MS) && pressure) return;
  if (!pressure) {
    setDiskPressure(state, node, true);
    recordEvent(state, refOf('Node', node), 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage', 'kubelet', node.metadata.name);
  }
  if (host.imageGcAt === undefined || state.now - host.imageGcAt >= IMAGE_GC_MS) {
    host.imageGcAt = state.now;
    const usage = Math.round((root.used / root.size) * 100);
    say(state, node, 'I', 'image_gc_manager.go:361', `"Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold" usage=${usage} highThreshold=85 amountToFree=${root.used - Math.floor(0.8 * root.size)} lowThreshold=80`);
    say(state, node, 'E', 'kubelet.go:1448', '"Image garbage collection failed multiple times in a row" err="failed to garbage collect required amount of images. Attempted to free ' + (root.used - Math.floor(0.8 * root.size)) + ' bytes, but only found 0 bytes eligible to free."');
  }
  const candidates = pods
    .filter((p) => !p.static && !isTerminating(p) && isActivePod(p) && !CRITICAL.has(p.spec.priorityClassName ?? '') && p.metadata.ownerReferences[0]?.kind !== 'DaemonSet')
    .sort((a, b) => QOS_RANK[a.status.qosClass] - QOS_RANK[b.status.qosClass] || (a.metadata.name < b.metadata.name ? -1 : 1));
  say(state, node, 'W', 'eviction_manager.go:366', '"Eviction manager: attempting to reclaim" resourceName="ephemeral-storage"');
  if (candidates.length === 0) {
    say(state, node, 'E', 'eviction_manager.go:395', '"Eviction manager: eviction thresholds have been met, but no pods are active to evict"');
    return;
  }
  say(state, node, 'I', 'eviction_manager.go:377', '"Eviction manager: must evict pod(s) to reclaim" resourceName="ephemeral-storage"');
  say(state, node, 'I', 'eviction_manager.go:395', `"Eviction manager: pods ranked for eviction" pods=[${candidates.map((p) => `"${keyOf(p)}"`).join(',')}]`);
  evict(state, node, candidates[0]!, `The node was low on resource: ephemeral-storage. Threshold quantity: ${threshold}, available: ${Math.floor(available / 1024)}Ki. `);
}
