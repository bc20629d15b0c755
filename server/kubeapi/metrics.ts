// kube-apiserver's /metrics: a small, bounded subset of what a v1.29 apiserver exposes, in
// Prometheus text exposition format 0.0.4 as client_golang's expfmt writes it (families
// sorted by name, each with "# HELP" and "# TYPE", series sorted by label values, labels
// sorted by name, floats in Go's shortest 'g' form). Help texts carry component-base's
// "[STABLE] "/"[ALPHA] " prefix. The figures come from the simulated state: object counts per
// resource, etcd's backend size, and request counters that grow with the apiserver's uptime
// (writes fail with code 500 while etcd refuses them, as "database space exceeded" does).
// Not here: apiserver_storage_db_total_size_in_bytes, deprecated in 1.28 and so hidden in
// 1.29 (component-base shouldHide); apiserver_storage_size_bytes replaced it.
import { NOSPACE_MESSAGE } from '../cluster/api.js';
import { etcdDiskFull } from '../cluster/host.js';
import { promFloat } from '../cluster/network/coredns-metrics.js';
import type { ClusterState, Pod } from '../cluster/types.js';
import { kindServed, storedKindInfo } from '../cluster/stored-kinds.js';
import { listObjects, RESOURCE_TYPES } from '../shell/kubectl/resources.js';

/** The media type the apiserver sends /metrics with (expfmt FmtText). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = [string, string][];

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: { labels: Labels; value: number }[] | { labels: Labels; buckets: number[]; counts: number[]; sum: number; count: number }[];
}

const labelText = (labels: Labels): string =>
  labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;

/** Labels sorted by name, as client_golang's constrained label pairs are. */
const sorted = (labels: Labels): Labels => [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function render(families: Family[]): string {
  const out: string[] = [];
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    const rows = [...f.series].map((s) => ({ ...s, labels: sorted(s.labels) }));
    rows.sort((a, b) => {
      const ka = a.labels.map(([, v]) => v).join('\u0000');
      const kb = b.labels.map(([, v]) => v).join('\u0000');
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    for (const s of rows) {
      if ('value' in s) {
        out.push(`${f.name}${labelText(s.labels)} ${promFloat(s.value)}`);
        continue;
      }
      s.buckets.forEach((le, i) => out.push(`${f.name}_bucket${labelText([...s.labels, ['le', promFloat(le)]])} ${promFloat(s.counts[i]!)}`));
      out.push(`${f.name}_bucket${labelText([...s.labels, ['le', '+Inf']])} ${promFloat(s.count)}`);
      out.push(`${f.name}_sum${labelText(s.labels)} ${promFloat(s.sum)}`);
      out.push(`${f.name}_count${labelText(s.labels)} ${promFloat(s.count)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** etcd3/metrics etcdRequestLatency's buckets (k8s.io/apiserver, v1.29). */
const ETCD_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** The steady traffic a small cluster's apiserver serves: who reads and writes what, per second per node. */
interface Flow {
  verb: 'GET' | 'LIST' | 'WATCH' | 'PUT' | 'PATCH' | 'POST';
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: 'resource' | 'namespace' | 'cluster';
  /** Requests per second, per node (kubelets' lease renewals and status) or for the cluster. */
  perNode: number;
  perCluster: number;
}

const FLOWS: Flow[] = [
  // Each kubelet renews its lease every 10 s and patches its status every 10 s (nodeStatusUpdateFrequency).
  { verb: 'GET', group: 'coordination.k8s.io', version: 'v1', resource: 'leases', subresource: '', scope: 'resource', perNode: 0.1, perCluster: 0.6 },
  { verb: 'PUT', group: 'coordination.k8s.io', version: 'v1', resource: 'leases', subresource: '', scope: 'resource', perNode: 0.1, perCluster: 0.6 },
  { verb: 'GET', group: '', version: 'v1', resource: 'nodes', subresource: '', scope: 'resource', perNode: 0.1, perCluster: 0 },
  { verb: 'PATCH', group: '', version: 'v1', resource: 'nodes', subresource: 'status', scope: 'resource', perNode: 0.02, perCluster: 0 },
  { verb: 'GET', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'resource', perNode: 0.05, perCluster: 0 },
  { verb: 'PATCH', group: '', version: 'v1', resource: 'pods', subresource: 'status', scope: 'resource', perNode: 0.01, perCluster: 0 },
  { verb: 'LIST', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'cluster', perNode: 0, perCluster: 0.002 },
  { verb: 'WATCH', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'cluster', perNode: 0.002, perCluster: 0.004 },
  { verb: 'GET', group: '', version: 'v1', resource: 'configmaps', subresource: '', scope: 'resource', perNode: 0, perCluster: 0.2 },
  { verb: 'POST', group: '', version: 'v1', resource: 'events', subresource: '', scope: 'namespace', perNode: 0.005, perCluster: 0.01 },
  { verb: 'PUT', group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', subresource: '', scope: 'resource', perNode: 0, perCluster: 0.01 },
  { verb: 'POST', group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', subresource: '', scope: 'cluster', perNode: 0, perCluster: 0.05 },
];

const WRITES = new Set(['PUT', 'PATCH', 'POST']);

/** When the running apiserver process started (its static pod's container), in simulated ms. */
function apiserverStart(state: ClusterState): number {
  const pod = Object.values(state.pods).find((p: Pod) => p.metadata.namespace === 'kube-system' && p.metadata.labels?.component === 'kube-apiserver');
  const st = pod?.status.containerStatuses[0]?.state;
  return st && st.kind === 'running' ? st.startedAt : 0;
}

/** Since when etcd has been refusing the apiserver's writes (the NOSPACE alarm's log line), or undefined. */
function refusingSince(state: ClusterState, start: number): number | undefined {
  const nospace = state.etcd.alarms.some((a) => a.alarm === 'NOSPACE');
  if (!nospace && !etcdDiskFull(state)) return undefined;
  // etcd's log is bounded: when the first refusal has rotated out, its oldest line is the best guess.
  const first = state.etcd.logs.find((l) => l.text.includes('"alarm raised"') || l.text.includes(NOSPACE_MESSAGE) || l.text.includes('no space left on device'));
  const since = first?.at ?? state.etcd.logs[0]?.at ?? state.now;
  return Math.max(start, since);
}

/** The /metrics body of the simulated kube-apiserver. */
export function apiserverMetrics(state: ClusterState): string {
  const start = apiserverStart(state);
  const up = Math.max(0, (state.now - start) / 1000);
  const since = refusingSince(state, start);
  const refusedFor = since === undefined ? 0 : Math.max(0, (state.now - since) / 1000);
  const nodes = Object.keys(state.nodes).length;

  const requests: Family['series'] = [];
  const etcdSeries: { labels: Labels; buckets: number[]; counts: number[]; sum: number; count: number }[] = [];
  const etcdTotals: { labels: Labels; value: number }[] = [];
  const etcdErrors: { labels: Labels; value: number }[] = [];
  for (const f of FLOWS) {
    const rate = f.perNode * nodes + f.perCluster;
    const total = Math.floor(rate * up);
    const failed = WRITES.has(f.verb) && f.resource !== 'subjectaccessreviews' ? Math.min(total, Math.floor(rate * refusedFor)) : 0;
    const base: Labels = [['component', 'apiserver'], ['dry_run', ''], ['group', f.group], ['resource', f.resource], ['scope', f.scope], ['subresource', f.subresource], ['verb', f.verb], ['version', f.version]];
    (requests as { labels: Labels; value: number }[]).push({ labels: [['code', f.verb === 'POST' ? '201' : '200'], ...base], value: total - failed });
    if (failed > 0) (requests as { labels: Labels; value: number }[]).push({ labels: [['code', '500'], ...base], value: failed });
    if (f.verb === 'WATCH' || f.resource === 'subjectaccessreviews') continue;
    // The storage layer's view of the same traffic: a write is a get then a guaranteed update.
    const type = f.group ? `${f.resource}.${f.group}` : f.resource;
    const operation = f.verb === 'LIST' ? 'listWithCount' : f.verb === 'POST' ? 'create' : WRITES.has(f.verb) ? 'update' : 'get';
    const labels: Labels = [['operation', operation], ['type', type]];
    if (etcdSeries.some((s) => s.labels[0]![1] === operation && s.labels[1]![1] === type)) continue;
    // Healthy etcd answers in a few ms; a refused write comes back as fast, with an error.
    const counts = ETCD_BUCKETS.map((le) => (le <= 0.005 ? Math.floor(total * 0.93) : le <= 0.025 ? Math.floor(total * 0.995) : total));
    etcdSeries.push({ labels, buckets: ETCD_BUCKETS, counts, sum: Math.round(total * 0.0031 * 1e6) / 1e6, count: total });
    etcdTotals.push({ labels, value: total });
    if (failed > 0) etcdErrors.push({ labels, value: failed });
  }

  // Only kinds stored in etcd (not ComponentStatus, computed per request), and a CRD's only while it is served.
  const stored = RESOURCE_TYPES.filter((t) => {
    const info = storedKindInfo(t.kind);
    return t.kind !== 'ComponentStatus' && (!info || kindServed(state.stored, info));
  });
  const objects = stored.map((t) => ({
    labels: [['resource', t.group ? `${t.plural}.${t.group}` : t.plural]] as Labels,
    value: listObjects(state, t, undefined).length,
  }));
  const inflight = since === undefined ? 0 : Math.min(400, Math.ceil(refusedFor / 30));

  const families: Family[] = [
    { name: 'apiserver_current_inflight_requests', type: 'gauge', help: '[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', series: [{ labels: [['request_kind', 'mutating']], value: inflight }, { labels: [['request_kind', 'readOnly']], value: 1 }] },
    { name: 'apiserver_request_total', type: 'counter', help: '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', series: requests },
    { name: 'apiserver_storage_objects', type: 'gauge', help: '[STABLE] Number of stored objects at the time of last check split by kind.', series: objects },
    { name: 'apiserver_storage_size_bytes', type: 'gauge', help: '[STABLE] Size of the storage database file physically allocated in bytes.', series: [{ labels: [['storage_cluster_id', 'etcd-0']], value: state.etcd.dbSize }] },
    { name: 'etcd_request_duration_seconds', type: 'histogram', help: '[ALPHA] Etcd request latency in seconds for each operation and object type.', series: etcdSeries },
    { name: 'etcd_requests_total', type: 'counter', help: '[ALPHA] Etcd request counts for each operation and object type.', series: etcdTotals },
    { name: 'etcd_request_errors_total', type: 'counter', help: '[ALPHA] Etcd failed request counts for each operation and object type.', series: etcdErrors },
    { name: 'process_start_time_seconds', type: 'gauge', help: '[ALPHA] Start time of the process since unix epoch in seconds.', series: [{ labels: [], value: (state.epoch + start) / 1000 }] },
  ];
  // client_golang leaves out a vector family with no series.
  return render(families.filter((f) => f.series.length > 0));
}
