// Requests the apiserver proxies to a pod's kubelet (logs, exec, attach, port-forward): they
// reach it at the node's InternalIP, port 10250, and fail there when the kubelet is not running.
import { kubeletWorking } from '../../cluster/host.js';
import type { ClusterState, Pod } from '../../cluster/types.js';

/** The node address whose kubelet refuses the connection, or undefined when it answers. */
export function kubeletDownAt(state: ClusterState, pod: Pod): string | undefined {
  const node = pod.spec.nodeName ? state.nodes[pod.spec.nodeName] : undefined;
  if (!node || kubeletWorking(node.host)) return undefined;
  return node.status.addresses.find((a) => a.type === 'InternalIP')?.address;
}
