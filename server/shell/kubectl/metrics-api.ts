// The resource metrics API as the apiserver proxies it to metrics-server (v0.7,
// sigs.k8s.io/metrics-server pkg/api): discovery of metrics.k8s.io/v1beta1 and the
// NodeMetrics/PodMetrics it serves, from the same simulated usage `kubectl top` prints
// (cluster/metrics.ts). While the APIService is registered but metrics-server cannot answer,
// kube-aggregator's proxy answers 503 with the text "service unavailable" (client-go turns it
// into "the server is currently unable to handle the request"). Shared by `kubectl get --raw`,
// `kubectl api-resources` and the REST API (server/kubeapi/).
import { containerUsage, METRICS_API_SERVICE, metricsAvailable, type Usage } from '../../cluster/metrics.js';
import type { ClusterState, Node, Pod } from '../../cluster/types.js';
import { nodeStatus } from './printers.js';
import { findResourceType, listObjects, type ResourceType } from './resources.js';
import { matchesLabels, parseLabelSelector } from './selectors.js';

export const METRICS_GROUP_VERSION = 'metrics.k8s.io/v1beta1';

/** The two resources metrics-server's APIResourceList names (no singular names, get and list only). */
export const METRICS_TYPES: ResourceType[] = [
  { plural: 'nodes', singular: '', shortNames: [], kind: 'NodeMetrics', group: 'metrics.k8s.io', apiVersion: METRICS_GROUP_VERSION, namespaced: false, verbs: ['get', 'list'] },
  { plural: 'pods', singular: '', shortNames: [], kind: 'PodMetrics', group: 'metrics.k8s.io', apiVersion: METRICS_GROUP_VERSION, namespaced: true, verbs: ['get', 'list'] },
];

/** The add-on registered its APIService: the group is listed in /apis whether or not it answers. */
export const metricsRegistered = (state: ClusterState): boolean => state.stored?.['APIService']?.[METRICS_API_SERVICE] !== undefined;

/** What client-go makes of the aggregator's 503 (no resource named: `get --raw`, discovery). */
export const METRICS_503 = 'the server is currently unable to handle the request';

export interface MetricsAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

const unavailable: MetricsAnswer = { status: 503, body: 'service unavailable\n', contentType: 'text/plain; charset=utf-8' };

/**
 * Usage as the API carries it: CPU in whole millicores written as nanocores, memory in KiB, so
 * `kubectl top` (ours, or the real one reading Quantities) prints the same figures.
 */
export function servedUsage(u: Usage): Usage {
  return { cpu: Math.round(u.cpu), memory: Math.floor(u.memory / 1024) * 1024 };
}

const quantities = (u: Usage): { cpu: string; memory: string } => {
  const s = servedUsage(u);
  return { cpu: s.cpu === 0 ? '0' : `${s.cpu * 1_000_000}n`, memory: s.memory === 0 ? '0' : `${s.memory / 1024}Ki` };
};

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** metrics-server scrapes every 15 s: the latest scrape before now. */
const scrapedAt = (state: ClusterState): string => rfc3339(state.epoch + state.now - (state.now % 15_000));

/** Nodes with metrics: those whose kubelet answers (Ready), in listing order. */
export function nodeUsages(state: ClusterState): { node: Node; usage: Usage }[] {
  return (listObjects(state, findResourceType('nodes')!, undefined) as Node[]).filter((n) => nodeStatus(n).startsWith('Ready')).map((node) => ({ node, usage: servedUsage(node.host.usage) }));
}

/** A pod's running containers' usage, in spec order; none when nothing runs. */
export function podUsages(pod: Pod): { name: string; usage: Usage }[] {
  return pod.spec.containers.flatMap((c) => {
    const u = containerUsage(pod, c.name);
    return u ? [{ name: c.name, usage: servedUsage(u) }] : [];
  });
}

function nodeMetrics(state: ClusterState, node: Node, usage: Usage): unknown {
  const now = rfc3339(state.epoch + state.now);
  return { metadata: { name: node.metadata.name, creationTimestamp: now, labels: node.metadata.labels }, timestamp: scrapedAt(state), window: '20s', usage: quantities(usage) };
}

function podMetrics(state: ClusterState, pod: Pod, containers: { name: string; usage: Usage }[]): unknown {
  const now = rfc3339(state.epoch + state.now);
  return {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: now, labels: pod.metadata.labels },
    timestamp: scrapedAt(state), window: '15s', containers: containers.map((c) => ({ name: c.name, usage: quantities(c.usage) })),
  };
}

const notFoundStatus = (resource: string, name: string): MetricsAnswer => ({
  status: 404,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${resource}.metrics.k8s.io "${name}" not found`, reason: 'NotFound', details: { name, group: 'metrics.k8s.io', kind: resource }, code: 404 },
});

const pathNotFound: MetricsAnswer = { status: 404, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 } };

/**
 * A GET under /apis/metrics.k8s.io/v1beta1 (`rest`: the segments after it), or undefined when
 * the APIService is not registered (the path is then the apiserver's 404).
 */
export function metricsAnswer(state: ClusterState, rest: string[], query: Record<string, string>): MetricsAnswer | undefined {
  if (!metricsRegistered(state)) return undefined;
  if (!metricsAvailable(state)) return unavailable;
  if (rest.length === 0) {
    return {
      status: 200,
      body: {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: METRICS_GROUP_VERSION,
        resources: METRICS_TYPES.map((t) => ({ name: t.plural, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: t.verbs })),
      },
    };
  }
  const selector = parseLabelSelector(query.labelSelector ?? '');
  if (!selector.ok) return { status: 400, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: selector.error.replace(/^error: /, '').trimEnd(), reason: 'BadRequest', code: 400 } };
  const [first, second, third, fourth, ...extra] = rest;
  if (first === 'nodes' && third === undefined) {
    const nodes = nodeUsages(state).filter((n) => matchesLabels(selector.requirements, n.node.metadata.labels));
    if (second === undefined) return { status: 200, body: { kind: 'NodeMetricsList', apiVersion: METRICS_GROUP_VERSION, metadata: {}, items: nodes.map((n) => nodeMetrics(state, n.node, n.usage)) } };
    const one = nodes.find((n) => n.node.metadata.name === second);
    return one ? { status: 200, body: { kind: 'NodeMetrics', apiVersion: METRICS_GROUP_VERSION, ...(nodeMetrics(state, one.node, one.usage) as object) } } : notFoundStatus('nodes', second);
  }
  const namespaced = first === 'namespaces' && second !== undefined && third === 'pods';
  if ((first === 'pods' && second === undefined) || (namespaced && extra.length === 0)) {
    const namespace = namespaced ? second : undefined;
    const pods = (listObjects(state, findResourceType('pods')!, namespace) as Pod[])
      .filter((p) => matchesLabels(selector.requirements, p.metadata.labels))
      .map((pod) => ({ pod, containers: podUsages(pod) }))
      .filter((p) => p.containers.length > 0);
    if (fourth === undefined) return { status: 200, body: { kind: 'PodMetricsList', apiVersion: METRICS_GROUP_VERSION, metadata: {}, items: pods.map((p) => podMetrics(state, p.pod, p.containers)) } };
    const one = pods.find((p) => p.pod.metadata.name === fourth);
    return one ? { status: 200, body: { kind: 'PodMetrics', apiVersion: METRICS_GROUP_VERSION, ...(podMetrics(state, one.pod, one.containers) as object) } } : notFoundStatus('pods', fourth);
  }
  return pathNotFound;
}
