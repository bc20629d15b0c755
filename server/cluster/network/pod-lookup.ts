// What the packet path asks about pods on every request — which pods hold an IP, on which
// nodes kube-proxy has programmed its rules — and which pods a node runs, answered from an
// index instead of a scan over every pod. Every pod change goes through api.ts, which bumps
// the Pod write serial: the index is rebuilt when that serial moved. While no pod was
// written through the api in this process yet (serial -1: a reloaded state) it is keyed on
// the etcd revision instead. Only a cache, outside the state: a clone builds its own.
import { writeSerial } from '../api.js';
import type { ClusterState, Pod } from '../types.js';

interface PodLookup {
  /** Pod write serial, or the etcd revision while the serial is unknown ("r" prefix). */
  version: string;
  /** Pods by `status.podIP` (host-network and terminating ones included), in state key order. */
  byIP: Map<string, Pod[]>;
  /** Pods bound to each node, in state key order. */
  byNode: Map<string, Pod[]>;
  /** Nodes where a kube-proxy pod has started at least once. */
  proxyNodes: Set<string>;
  /** When kube-proxy's container on each node last started (it writes every rule then). */
  proxyStarted: Map<string, number>;
}

function push(map: Map<string, Pod[]>, key: string, pod: Pod): void {
  const list = map.get(key);
  if (list) list.push(pod);
  else map.set(key, [pod]);
}

const lookups = new WeakMap<ClusterState, PodLookup>();

/** One of the pod's containers runs this program (behavior role). */
export function hasRole(pod: Pod, role: string): boolean {
  for (const name in pod.behavior) if (pod.behavior[name]!.role === role) return true;
  return false;
}

function build(state: ClusterState, version: string): PodLookup {
  const lookup: PodLookup = { version, byIP: new Map(), byNode: new Map(), proxyNodes: new Set(), proxyStarted: new Map() };
  for (const key in state.pods) {
    const pod = state.pods[key]!;
    if (pod.status.podIP !== undefined) push(lookup.byIP, pod.status.podIP, pod);
    const node = pod.spec.nodeName;
    if (node) push(lookup.byNode, node, pod);
    if (node && hasRole(pod, 'kube-proxy') && pod.status.containerStatuses.some((c) => c.containerID !== '')) {
      lookup.proxyNodes.add(node);
      for (const c of pod.status.containerStatuses) {
        if (c.state.kind === 'running') lookup.proxyStarted.set(node, Math.max(lookup.proxyStarted.get(node) ?? -Infinity, c.state.startedAt));
      }
    }
  }
  return lookup;
}

function podLookup(state: ClusterState): PodLookup {
  const serial = writeSerial(state, 'Pod');
  const version = serial >= 0 ? String(serial) : `r${state.etcd.revision}`;
  let lookup = lookups.get(state);
  if (!lookup || lookup.version !== version) lookups.set(state, (lookup = build(state, version)));
  return lookup;
}

const NONE: readonly Pod[] = [];

/** Every pod whose `status.podIP` is `ip`, in state key order. */
export function podsWithIP(state: ClusterState, ip: string): readonly Pod[] {
  return podLookup(state).byIP.get(ip) ?? NONE;
}

/** Every pod bound to the node, in state key order. */
export function podsOnNode(state: ClusterState, nodeName: string): readonly Pod[] {
  return podLookup(state).byNode.get(nodeName) ?? NONE;
}

/**
 * kube-proxy v1.29 (iptables mode) re-writes every rule at most this long after the last
 * full sync; between, it only rewrites the chains of Services that changed, so a flushed nat
 * table stays empty (its canary chain survives a flush, so nothing tells it).
 */
export const PROXY_FULL_SYNC_MS = 60 * 60_000;

/** Someone flushed the node's nat table and kube-proxy has not written it again (restart or full sync). */
export function natFlushed(state: ClusterState, nodeName: string): boolean {
  const at = state.network.natFlushed?.[nodeName];
  if (at === undefined || state.now >= at + PROXY_FULL_SYNC_MS) return false;
  return !((podLookup(state).proxyStarted.get(nodeName) ?? -Infinity) > at);
}

/**
 * kube-proxy has programmed this node's rules: its pod on the node has started at least
 * once (rules stay in the kernel when kube-proxy later dies, only go stale), and nobody
 * flushed them since.
 */
export function proxyProgrammed(state: ClusterState, nodeName: string): boolean {
  return podLookup(state).proxyNodes.has(nodeName) && !natFlushed(state, nodeName);
}
