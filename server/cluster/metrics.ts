// The resource metrics API (metrics.k8s.io) as metrics-server serves it from the kubelets:
// what `kubectl top` prints and the HPA controller scales on. The apiserver serves it only
// where the metrics-server add-on registered its APIService, and only while a metrics-server
// pod is Running and Ready; kube-aggregator's availability check records why it is not.
import { mutateObject } from './api.js';
import { expiredCert } from './pki.js';
import type { ClusterState, JsonValue, Pod } from './types.js';

export interface Usage { cpu: number; memory: number }

export const METRICS_UNAVAILABLE = 'the server is currently unable to handle the request (get pods.metrics.k8s.io)';
export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';
const SERVICE = { namespace: 'kube-system', name: 'metrics-server', port: 'https' };

function readyServer(state: ClusterState): Pod | undefined {
  for (const key in state.pods) {
    const p = state.pods[key]!;
    if (p.metadata.namespace !== SERVICE.namespace || p.metadata.labels['k8s-app'] !== 'metrics-server') continue;
    if (p.status.phase === 'Running' && p.metadata.deletionTimestamp === undefined && p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return p;
  }
  return undefined;
}

export function metricsAvailable(state: ClusterState): boolean {
  if (!state.stored?.['APIService']?.[METRICS_API_SERVICE]) return false;
  // An aggregated API: the apiserver reaches metrics-server with its front-proxy client certificate.
  if (expiredCert(state, 'front-proxy-client')) return false;
  return readyServer(state) !== undefined;
}

/**
 * kube-aggregator's Available condition of the metrics APIService at TIME, as an APIService
 * status (available_controller.go in v1.29, which reads Endpoints); `before` keeps its
 * transition time while the status holds.
 */
export function metricsApiStatus(state: ClusterState, time: string, before?: JsonValue): { [key: string]: JsonValue } {
  const { namespace, name, port } = SERVICE;
  const ep = state.endpoints[`${namespace}/${name}`];
  const active = ep?.subsets.find((s) => s.addresses.length > 0 && s.ports.some((p) => p.name === port));
  const ip = active?.addresses[0]!.ip;
  const url = `https://${ip}:10250/apis/metrics.k8s.io/v1beta1`;
  const [status, reason, message] = !state.services[`${namespace}/${name}`] ? ['False', 'ServiceNotFound', `service/${name} in "${namespace}" is not present`]
    : !ep ? ['False', 'EndpointsNotFound', `cannot find endpoints for service/${name} in "${namespace}"`]
      : !active ? ['False', 'MissingEndpoints', `endpoints for service/${name} in "${namespace}" have no addresses with port name "${port}"`]
        : expiredCert(state, 'front-proxy-client') ? ['False', 'FailedDiscoveryCheck', `failing or missing response from ${url}: bad status from ${url}: 401`]
          : !readyServer(state) ? ['False', 'FailedDiscoveryCheck', `failing or missing response from ${url}: Get "${url}": dial tcp ${ip}:10250: connect: connection refused`]
            : ['True', 'Passed', 'all checks passed'];
  const old = ((before as { conditions?: { [k: string]: JsonValue }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Available');
  const lastTransitionTime = old?.status === status ? old.lastTransitionTime! : time;
  return { conditions: [{ lastTransitionTime, message, reason, status, type: 'Available' }] };
}

/** The aggregator's periodic check: a new status is written only when the condition changed. */
export function checkMetricsApiService(state: ClusterState): void {
  if (!state.stored?.['APIService']?.[METRICS_API_SERVICE]) return;
  mutateObject(state, 'APIService', METRICS_API_SERVICE, (o) => {
    const status = metricsApiStatus(state, new Date(state.epoch + state.now).toISOString().replace(/\.\d{3}Z$/, 'Z'), o.fields.status);
    if (JSON.stringify(status) === JSON.stringify(o.fields.status)) return false;
    o.fields.status = status;
  });
}

/** What metrics-server reports for a container: nothing unless it runs. */
export function containerUsage(pod: Pod, name: string): Usage | undefined {
  const status = pod.status.containerStatuses.find((c) => c.name === name);
  if (status?.state.kind !== 'running') return undefined;
  const b = pod.behavior[name] ?? {};
  return { cpu: b.cpuUse ?? 1, memory: b.memoryUse ?? 8 * 1024 * 1024 };
}
