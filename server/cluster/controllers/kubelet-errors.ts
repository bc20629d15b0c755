// What a kubelet writes to its journal (and so to syslog) while it cannot write to the
// apiserver: every lease renewal (10 s) fails with the apiserver's answer — etcd's
// "mvcc: database space exceeded" while NOSPACE is raised, "connection refused" once
// kube-apiserver is down. This is the trail an operator finds on the node when kubectl
// itself no longer answers (seed 000: the syslog kept recording the etcd error).
import { journal } from '../host.js';
import { UNABLE_TO_CONNECT } from '../api.js';
import { klog } from '../logs.js';
import type { ApiError, ClusterState, Node } from '../types.js';

const LEASE_RENEW_MS = 10_000;

/** The pid of the running unit, as its latest journal line shows it (`kubelet[1399]: …`). */
export function unitPid(node: Node, unit: string): number {
  const journalLines = node.host.units[unit]?.journal ?? [];
  for (let i = journalLines.length - 1; i >= 0; i--) {
    const m = new RegExp(`^${unit}\\[(\\d+)\\]:`).exec(journalLines[i]!.text);
    if (m) return Number(m[1]);
  }
  return 1;
}

/** Log the failed lease renewal (and node status update) once per renewal period. */
export function logRefusedWrites(state: ClusterState, node: Node, refused: ApiError, dt: number): void {
  if (Math.floor((state.now - dt) / LEASE_RENEW_MS) === Math.floor(state.now / LEASE_RENEW_MS)) return;
  const name = node.metadata.name;
  const pid = unitPid(node, 'kubelet');
  const server = state.controlPlane.apiserver.endpoint;
  // kubectl's "Unable to connect to the server: <why>" is the kubelet's own net/http error after the URL.
  const why = refused.message.startsWith(UNABLE_TO_CONNECT) ? refused.message.slice(UNABLE_TO_CONNECT.length) : `dial tcp ${server.replace(/^https:\/\//, '')}: connect: connection refused`;
  const dial = (method: string, path: string) => `${method} \\"${server}${path}\\": ${why}`;
  const down = refused.status === 0;
  const leaseErr = down ? dial('Put', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}?timeout=10s`) : refused.message;
  const lines = [klog(state, state.now, 'E', 'controller.go:195', `"Failed to update lease" err="${leaseErr}"`, pid)];
  if (down) {
    lines.push(klog(state, state.now, 'E', 'kubelet_node_status.go:540', `"Error updating node status, will retry" err="error getting node \\"${name}\\": ${dial('Get', `/api/v1/nodes/${name}?resourceVersion=0&timeout=10s`)}"`, pid));
  }
  for (const l of lines) journal(state, name, 'kubelet', { at: l.at, text: `kubelet[${pid}]: ${l.text}` });
}
