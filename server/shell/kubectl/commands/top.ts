// `kubectl top node|pod`: usage as the metrics API serves it (../metrics-api.ts: node.host.usage,
// container behaviour).
import { metricsAvailable, type Usage } from '../../../cluster/metrics.js';
import { nodeUsages, podUsages } from '../metrics-api.js';
import { goDuration } from '../../../cluster/quantity.js';
import { metricsApiRefused } from '../../../cluster/controlplane.js';
import type { Node, Pod } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import { tagApiError } from '../api-error.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { listNamespace, noResourcesFound, SELECTOR_FLAGS } from '../query.js';
import { findResourceType, listObjects, notFoundError } from '../resources.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import { renderTable } from '../table.js';
import { goSort } from '../go-sort.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';

const cpu = (m: number): string => `${Math.round(m)}m`;
const mem = (bytes: number): string => `${Math.floor(bytes / (1024 * 1024))}Mi`;


/**
 * kubectl's metrics sorters (top/metrics_sorter.go, via Go's unstable sort.Sort): the largest
 * first, ties where pdqsort leaves them.
 */
function sortRows<T extends { usage: Usage }>(rows: T[], sortBy: string | undefined): T[] {
  const sorted = [...rows];
  if (sortBy === 'cpu') goSort(sorted, (a, b) => a.usage.cpu > b.usage.cpu);
  if (sortBy === 'memory') goSort(sorted, (a, b) => a.usage.memory > b.usage.memory);
  return sorted;
}

/** TopCmdPrinter writes each cell followed by a tab, so the last column is padded too. */
const topTable = (headers: string[] | undefined, rows: string[][]): string => renderTable(headers && [...headers, ''], rows.map((r) => [...r, '']));

function topNodes(ctx: KubectlContext, names: string[], flags: ParsedFlags, selector: ReturnType<typeof parseLabelSelector>): ReturnType<KubectlSubcommand['run']> {
  if (!selector.ok) return fail(selector.error);
  const type = findResourceType('nodes')!;
  let nodes = listObjects(ctx.state, type, undefined) as Node[];
  if (names.length > 0) {
    const missing = names.find((n) => !ctx.state.nodes[n]);
    if (missing) return fail(notFoundError(type, missing));
    nodes = nodes.filter((n) => names.includes(n.metadata.name));
  }
  nodes = nodes.filter((n) => matchesLabels(selector.requirements, n.metadata.labels));
  const measured = nodeUsages(ctx.state).filter((m) => nodes.includes(m.node));
  // top_node.go: an empty NodeMetricsList (a selector matching no measured node) is this error.
  if (measured.length === 0) return fail('error: metrics not available yet\n');
  const ready = measured.map((m) => m.node);
  const rows = sortRows(measured, flags.string('sort-by')).map(({ node, usage }) => [
    node.metadata.name,
    cpu(usage.cpu), `${Math.trunc((usage.cpu / node.status.allocatable.cpu) * 100)}%`,
    mem(usage.memory), `${Math.trunc((usage.memory / node.status.allocatable.memory) * 100)}%`,
  ]);
  // Nodes without metrics (NotReady) are listed last with <unknown>, as kubectl does.
  for (const n of nodes.filter((x) => !ready.includes(x))) rows.push([n.metadata.name, '<unknown>', '<unknown>', '<unknown>', '<unknown>']);
  const headers = flags.bool('no-headers') ? undefined : ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'];
  return ok(topTable(headers, rows));
}

function topPods(ctx: KubectlContext, names: string[], flags: ParsedFlags, selector: ReturnType<typeof parseLabelSelector>): ReturnType<KubectlSubcommand['run']> {
  if (!selector.ok) return fail(selector.error);
  const type = findResourceType('pods')!;
  let pods = (listObjects(ctx.state, type, listNamespace(ctx)) as Pod[]).filter((p) => matchesLabels(selector.requirements, p.metadata.labels));
  if (names.length > 0) pods = pods.filter((p) => names.includes(p.metadata.name));
  const containers = flags.bool('containers');
  const measured: { pod: Pod; running: { name: string; usage: Usage }[]; usage: Usage }[] = [];
  for (const pod of pods) {
    const running = podUsages(pod);
    if (running.length === 0) continue;
    const usage = running.reduce((acc, u) => ({ cpu: acc.cpu + u.usage.cpu, memory: acc.memory + u.usage.memory }), { cpu: 0, memory: 0 });
    measured.push({ pod, running, usage });
  }
  // A named pod is a GET of its PodMetrics: metrics-server has none for a pod it does not measure.
  const unmeasured = names.find((n) => !measured.some((m) => m.pod.metadata.name === n));
  if (unmeasured !== undefined) return fail(`Error from server (NotFound): pods.metrics.k8s.io "${unmeasured}" not found\n`);
  if (measured.length === 0) return noPodMetrics(ctx, selector);
  const rows: string[][] = [];
  for (const { pod, running, usage } of sortRows(measured, flags.string('sort-by'))) {
    const ns = ctx.allNamespaces ? [pod.metadata.namespace ?? ''] : [];
    if (containers) for (const u of sortRows(running, flags.string('sort-by'))) rows.push([...ns, pod.metadata.name, u.name, cpu(u.usage.cpu), mem(u.usage.memory)]);
    else rows.push([...ns, pod.metadata.name, cpu(usage.cpu), mem(usage.memory)]);
  }
  const headers = [
    ...(ctx.allNamespaces ? ['NAMESPACE'] : []),
    ...(containers ? ['POD', 'NAME'] : ['NAME']),
    'CPU(cores)', 'MEMORY(bytes)',
  ];
  if (flags.bool('sum')) {
    // TopCmdPrinter.printPodResourcesSum: underscores under the two usage columns, then the
    // totals; its column count grows with NAMESPACE and POD only when the header is printed.
    const width = flags.bool('no-headers') ? 3 : headers.length;
    const total = measured.reduce((acc, m) => ({ cpu: acc.cpu + m.usage.cpu, memory: acc.memory + m.usage.memory }), { cpu: 0, memory: 0 });
    rows.push([...Array<string>(width - 2).fill(''), '________', '________']);
    rows.push([...Array<string>(width - 3).fill(''), '', cpu(total.cpu), mem(total.memory)]);
  }
  return ok(topTable(flags.bool('no-headers') ? undefined : headers, rows));
}

/** Pods older than this without metrics are reported by name (top_pod.go metricsCreationDelay). */
const METRICS_CREATION_DELAY_MS = 2 * 60_000;

/**
 * top_pod.go verifyEmptyMetrics, when metrics-server listed no pod: the pods of the namespace
 * (kubectl lists the namespace even with -A) that the selector matches; none is `No resources
 * found` and success; the first older than 2 minutes is named, else the metrics are not there yet.
 */
function noPodMetrics(ctx: KubectlContext, selector: ReturnType<typeof parseLabelSelector>): ReturnType<KubectlSubcommand['run']> {
  const type = findResourceType('pods')!;
  const pods = (listObjects(ctx.state, type, ctx.namespace) as Pod[]).filter((p) => selector.ok && matchesLabels(selector.requirements, p.metadata.labels));
  if (pods.length === 0) return { stdout: '', stderr: noResourcesFound(ctx, [type]), exitCode: 0 };
  // The served creationTimestamp holds whole seconds.
  const ageOf = (p: Pod): number => ctx.state.now - Math.floor(p.metadata.creationTimestamp / 1000) * 1000;
  const old = pods.find((p) => ageOf(p) > METRICS_CREATION_DELAY_MS);
  if (old) return fail(`error: Metrics not available for pod ${old.metadata.namespace}/${old.metadata.name}, age: ${goDuration(ageOf(old))}\n`);
  return fail('error: metrics not available yet\n');
}

export const topCommand: KubectlSubcommand = {
  name: 'top',
  short: 'Display resource (CPU/memory) usage',
  usage: 'kubectl top [flags] [options]',
  completions: ['node', 'pod'],
  flags: [
    ALL_NAMESPACES_FLAG,
    SELECTOR_FLAGS[0]!,
    { name: 'containers', type: 'bool', usage: 'If present, print usage of containers within a pod.' },
    { name: 'sum', type: 'bool', usage: 'Print the sum of the resource usage' },
    { name: 'sort-by', type: 'string', usage: 'If non-empty, sort pods list using specified field. The field can be either \'cpu\' or \'memory\'.' },
    { name: 'no-headers', type: 'bool', usage: 'If present, print output without headers.' },
    { name: 'use-protocol-buffers', type: 'bool', default: 'true', usage: 'Enables using protocol-buffers to access Metrics API.' },
  ],
  run: (ctx, args, flags) => {
    const [what, ...names] = args;
    const sortBy = flags.string('sort-by');
    if (sortBy !== undefined && sortBy !== 'cpu' && sortBy !== 'memory') {
      return fail(`error: --sort-by accepts only cpu or memory\n`);
    }
    const selector = parseLabelSelector(flags.string('selector') ?? '');
    const plural = what === 'node' || what === 'nodes' || what === 'no' ? 'nodes' : what === 'pod' || what === 'pods' || what === 'po' ? 'pods' : undefined;
    // An aggregated API: the apiserver proxies it to metrics-server with its front-proxy client certificate.
    const refused = (message: string, line: string) => {
      tagApiError(ctx.facts, message);
      return fail(`${line}\n`);
    };
    if (plural && metricsApiRefused(ctx.state)) {
      const message = `the server is currently unable to handle the request (get ${plural}.metrics.k8s.io)`;
      return refused(message, `Error from server (ServiceUnavailable): ${message}`);
    }
    // kubectl asks the API server for metrics.k8s.io first (top_node.go, top_pod.go).
    if (plural && !metricsAvailable(ctx.state)) return refused('Metrics API not available', 'error: Metrics API not available');
    // --sum is `top pod`'s flag only.
    if ((what === 'node' || what === 'nodes' || what === 'no') && flags.bool('sum')) return fail("error: unknown flag: --sum\nSee 'kubectl top node --help' for usage.\n");
    if (what === 'node' || what === 'nodes' || what === 'no') return topNodes(ctx, names, flags, selector);
    if (what === 'pod' || what === 'pods' || what === 'po') return topPods(ctx, names, flags, selector);
    if (what === undefined) {
      return ok('Display resource (CPU/memory) usage.\n\n The top command allows you to see the resource consumption for nodes or pods.\n\n This command requires Metrics Server to be correctly configured and working on the server.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]\n');
    }
    return fail(`error: unknown command "${what}" for "kubectl top"\n`);
  },
};

