// The kubelet's active deadline handler (pkg/kubelet/active_deadline.go): a pod whose
// spec.activeDeadlineSeconds have passed since status.startTime is failed with reason
// DeadlineExceeded and a Normal event of the same reason; its owner (a Job) sees it fail.
import type { ClusterState, Node, Pod } from '../types.js';
import { isActivePod, isTerminating } from './context.js';
import { failPod } from './eviction.js';

const MESSAGE = 'Pod was active on the node longer than the specified deadline';

export function enforceActiveDeadlines(state: ClusterState, node: Node, pods: Pod[]): void {
  for (const pod of pods) {
    const deadline = pod.spec.activeDeadlineSeconds;
    if (deadline === undefined || pod.status.startTime === undefined) continue;
    if (!isActivePod(pod) || isTerminating(pod)) continue;
    if (state.now - pod.status.startTime < deadline * 1000) continue;
    failPod(state, node, pod, 'DeadlineExceeded', MESSAGE, 'Normal');
  }
}
