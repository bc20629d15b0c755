// The resource metrics API (metrics.k8s.io) as metrics-server serves it from the kubelets:
// what `kubectl top` prints and the HPA controller scales on. A cluster built with the
// metrics-server add-on serves it only while a metrics-server pod is Running and Ready; a
// cluster built without it (older scenario worlds) answers from the simulation directly.
import { expiredCert } from './pki.js';
import type { ClusterState, Pod } from './types.js';

export interface Usage { cpu: number; memory: number }

export const METRICS_UNAVAILABLE = 'the server is currently unable to handle the request (get pods.metrics.k8s.io)';

export function metricsAvailable(state: ClusterState): boolean {
  // An aggregated API: the apiserver reaches metrics-server with its front-proxy client certificate.
  if (expiredCert(state, 'front-proxy-client')) return false;
  if (!state.deployments['kube-system/metrics-server']) return true;
  for (const key in state.pods) {
    const p = state.pods[key]!;
    if (p.metadata.namespace !== 'kube-system' || p.metadata.labels['k8s-app'] !== 'metrics-server') continue;
    if (p.status.phase === 'Running' && p.metadata.deletionTimestamp === undefined && p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return true;
  }
  return false;
}

/** What metrics-server reports for a container: nothing unless it runs. */
export function containerUsage(pod: Pod, name: string): Usage | undefined {
  const status = pod.status.containerStatuses.find((c) => c.name === name);
  if (status?.state.kind !== 'running') return undefined;
  const b = pod.behavior[name] ?? {};
  return { cpu: b.cpuUse ?? 1, memory: b.memoryUse ?? 8 * 1024 * 1024 };
}
