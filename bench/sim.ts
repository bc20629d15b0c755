// npm run bench:sim — cost of the simulation on a small (10 nodes / 300 pods) and a large
// (500 nodes / 15 000 pods) generated cluster: ms per 1 s tick (and the controllers' share),
// ms per `kubectl get pods -A` (in the shell, and the REST API's Table for the real kubectl)
// and `kubectl describe pod X` on the settled cluster, heap MB,
// the large/small ratio of each, and PASS/FAIL per target of issue 2 (small tick ≤ 1 ms,
// small get pods -A ≤ 2 ms, cost no worse than linear in pods: large < 60× small).
// `get pods -A` is also timed with one pod written before each listing, and with nothing
// kept from earlier listings (on a clone of the state, which keeps nothing): the first
// listing of a cluster, or one on a state reloaded from the database; and with observation
// for scoring as scenarios name facts (one app's pods), and at its worst (every row; no target).
// On the small cluster a 10-stage pipeline (kubectl -o json | jq | grep | awk | sort | uniq |
// sort | sed | head | column) is timed too (issue 13: ≤ 5 ms).
// Then createCluster and startScenario for every variant of every scenario in scenarios/
// (issue 12: each createCluster ≤ 50 ms), the worst of each printed.
// Takes 2-4 minutes on 2 busy cores (each figure warms up until the JIT has settled: timePer).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCluster, keyOf, mutateObject, tick } from '../server/cluster/index.js';
import { settle } from '../server/cluster/tick.js';
import type { ClusterSpecInput } from '../server/cluster/index.js';
import { factInterest } from '../server/scenarios/facts.js';
import { formatProblem, loadScenarioDir, pinInstance, startScenario } from '../server/scenarios/index.js';
import { seedHash } from '../server/scenarios/variant.js';
import { handleApiRequest } from '../server/kubeapi/handler.js';
import { newSession, runLine } from '../server/shell/index.js';

/** A scored session's observation as scenarios name it: the status of one app's pods, and scheduling events. */
const OBSERVING = factInterest([
  { source: 'object', kind: 'Pod', namespace: 'default', namePrefix: 'app-7-', field: 'status', equals: 'Pending' },
  { source: 'event', kind: 'Pod', field: 'FailedScheduling' },
]);
/** At its worst: evidence naming the status of every app pod, so every row's fact is built and checked (no target). */
const OBSERVING_ALL = factInterest([{ source: 'object', kind: 'Pod', namespace: 'default', namePrefix: 'app-', field: 'status', equals: 'Pending' }]);

/** A cluster of `nodes` nodes holding about `pods` pods in total (system pods included). */
function generatedSpec(nodes: number, pods: number): ClusterSpecInput {
  const systemPods = 4 + 2 + 2 * nodes; // static control plane, CoreDNS, kube-proxy + CNI per node
  const perDeployment = 20;
  const appPods = Math.max(0, pods - systemPods);
  const count = Math.ceil(appPods / perDeployment);
  const deployments = Array.from({ length: count }, (_, i) => ({
    namespace: i % 2 ? 'shop' : 'default',
    name: `app-${i}`,
    replicas: i === count - 1 ? appPods - perDeployment * (count - 1) : perDeployment,
    containers: [{ image: `ghcr.io/acme/app-${i % 7}:1.${i % 5}.0`, ports: [8080], requests: { cpu: '20m', memory: '32Mi' }, behavior: { accessLog: true } }],
  }));
  return {
    name: `bench-${nodes}`,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: i === 0 ? 'cp-1' : `node-${i}`, role: i === 0 ? ('control-plane' as const) : ('worker' as const),
      ip: `10.${(i >> 8) & 255}.${i & 255}.10`, cpu: '16', memory: '64Gi', podCIDR: `10.${100 + (i >> 8)}.${i & 255}.0/24`,
    })),
    namespaces: ['shop'],
    deployments,
    services: deployments.map((d, i) => ({
      namespace: d.namespace, name: d.name, type: i === 0 ? ('LoadBalancer' as const) : ('ClusterIP' as const), selector: { app: d.name }, ports: [{ port: 80, targetPort: 8080 }],
    })),
    // Far past a drill cluster's defaults: the large cluster is this big on purpose.
    limits: { quota: { pods, deployments: count, replicasets: count, services: count }, maxObjects: 4 * pods },
    network: {
      traffic: [
        { ip: '203.0.113.10', service: 'default/app-0', via: 'loadbalancer' as const, requestsPerMinute: 60 },
        { ip: '198.51.100.23', service: 'default/app-0', via: 'nodeport' as const, requestsPerMinute: 30 },
      ],
    },
  };
}

/**
 * ms per call of `fn`: warmed up until the JIT has settled (rounds stop getting faster), then the
 * median of several timed batches (a batch lasts about `batchMs`), so one GC pause does not skew the figure.
 */
function timePer(fn: () => void, batchMs: number): number {
  /** Calls of `fn` for `ms`: how many, and ms per call. */
  const calls = (ms: number): { n: number; per: number } => {
    let n = 0;
    const t0 = performance.now();
    do { fn(); n++; } while (performance.now() - t0 < ms);
    return { n, per: (performance.now() - t0) / n };
  };
  // Rounds until MIN_WARM_CALLS calls were made and two rounds in a row were no faster than the
  // best by 5%: one round was ~30 calls of the 10-stage pipeline, whose code takes ~150-300 to be
  // optimised, so its batches were timed while the JIT still compiled (8, 3, 2, then ~1.2 ms a
  // call) and the figure swung 1.1-7.4 ms with the CPU the compiler threads got on a busy machine.
  let round = calls(batchMs); // the last round also sizes the batches
  let best = round.per;
  let warmCalls = round.n;
  for (let r = 0, stale = 0; r < MAX_WARM_ROUNDS && (stale < 2 || warmCalls < MIN_WARM_CALLS); r++) {
    round = calls(batchMs);
    warmCalls += round.n;
    stale = round.per < best * 0.95 ? 0 : stale + 1;
    best = Math.min(best, round.per);
  }
  const perBatch = round.n;
  const samples: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push((performance.now() - t0) / perBatch);
  }
  return samples.sort((a, b) => a - b)[Math.floor(BATCHES / 2)]!;
}
const BATCHES = 7;
/** Warm-up calls at least, and rounds (each `batchMs`) at most after the first. */
const MIN_WARM_CALLS = 300;
const MAX_WARM_ROUNDS = 12;

// A real GC before each heap reading, without needing `node --expose-gc` on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Result {
  label: string;
  pods: number;
  buildMs: number;
  tickMs: number;
  controllersMs: number;
  getPodsMs: number;
  getPodsAfterWriteMs: number;
  getPodsColdMs: number;
  getPodsObservedMs: number;
  getPodsObservedAllMs: number;
  /** The REST API's answer to the real kubectl's `get pods -A` (a Table), serialised: the server's time. */
  apiGetPodsMs: number;
  describeMs: number;
  /** PIPELINE, on the small cluster only (its JSON is what the target is about). */
  pipelineMs?: number;
  pipelineOutput?: string;
  heapMB: number;
}

/** A 10-stage SRE pipeline over the cluster's JSON: kubectl, jq, then eight text tools. */
const PIPELINE = "kubectl get pods -A -o json | jq -r '.items[] | [.metadata.namespace, .metadata.name, .status.phase, .spec.nodeName] | @tsv' | grep -v kube-system | awk '{print $4, $1}' | sort | uniq -c | sort -rn | sed 's/^ *//' | head -20 | column -t";

function measure(label: string, nodes: number, pods: number, batchMs: number): Result {
  const heapBefore = heapMB();
  const t0 = performance.now();
  const state = createCluster(generatedSpec(nodes, pods), 1);
  const buildMs = performance.now() - t0;
  tick(state, 10_000); // past the first heartbeats
  const tickMs = timePer(() => tick(state, 1000), batchMs);
  // The same step without synthetic client traffic: the controllers' own share.
  const controllersMs = timePer(() => settle(state, 1000), batchMs);
  const heap = heapMB() - heapBefore;
  const session = newSession(state);
  const victim = Object.values(state.pods).find((p) => p.metadata.namespace === 'default' && p.metadata.name.startsWith('app-'))!;
  const getPodsMs = timePer(() => runLine(state, session, 'kubectl get pods -A'), batchMs);
  let touches = 0;
  const getPodsAfterWriteMs = timePer(() => {
    mutateObject(state, 'Pod', keyOf(victim), (p) => void (p.metadata.annotations['bench/touch'] = String(touches++)));
    runLine(state, session, 'kubectl get pods -A');
  }, batchMs);
  const clone = structuredClone(state);
  const getPodsColdMs = timePer(() => runLine(clone, newSession(clone), 'kubectl get pods -A'), batchMs);
  const describeMs = timePer(() => runLine(state, session, `kubectl describe pod ${victim.metadata.name}`), batchMs);
  const getPodsObservedMs = timePer(() => runLine(state, session, 'kubectl get pods -A', { interest: OBSERVING }), batchMs);
  const getPodsObservedAllMs = timePer(() => runLine(state, session, 'kubectl get pods -A', { interest: OBSERVING_ALL }), batchMs);
  const apiGetPodsMs = timePer(() => JSON.stringify(handleApiRequest(state, API_GET_PODS).body), batchMs);
  const pipeline = pods <= 1000 ? { pipelineMs: timePer(() => runLine(state, session, PIPELINE), batchMs), pipelineOutput: runLine(state, session, PIPELINE).output } : {};
  return { label, pods: Object.keys(state.pods).length, buildMs, tickMs, controllersMs, getPodsMs, getPodsAfterWriteMs, getPodsColdMs, getPodsObservedMs, getPodsObservedAllMs, apiGetPodsMs, describeMs, ...pipeline, heapMB: heap };
}

/** What kubectl v1.29 asks for `get pods -A`: a Table, 500 rows a page. */
const API_GET_PODS = {
  method: 'GET', path: '/api/v1/pods', query: { limit: '500' }, contentType: '',
  accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
} as const;

interface Target { what: string; ok: boolean }

const fmt = (n: number, digits = 3) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

const MAX_RATIO = 60;
const small = measure('small: 10 nodes', 10, 300, 200);
const large = measure('large: 500 nodes', 500, 15_000, 1500);

const metrics: { name: string; key: 'tickMs' | 'controllersMs' | 'getPodsMs' | 'getPodsAfterWriteMs' | 'getPodsColdMs' | 'getPodsObservedMs' | 'getPodsObservedAllMs' | 'apiGetPodsMs' | 'describeMs' }[] = [
  { name: 'tick (1 s of sim time), ms', key: 'tickMs' },
  { name: '  of which controllers, ms', key: 'controllersMs' },
  { name: 'kubectl get pods -A, ms', key: 'getPodsMs' },
  { name: '  one pod written before, ms', key: 'getPodsAfterWriteMs' },
  { name: '  nothing kept (first), ms', key: 'getPodsColdMs' },
  { name: '  observed for scoring, ms', key: 'getPodsObservedMs' },
  { name: '  every row observed, ms', key: 'getPodsObservedAllMs' },
  { name: 'API get pods -A (Table), ms', key: 'apiGetPodsMs' },
  { name: 'kubectl describe pod, ms', key: 'describeMs' },
];
const col = (s: string, w: number) => s.padStart(w);
console.log(`${'metric'.padEnd(30)}${col(`${small.label} / ${small.pods} pods`, 30)}${col(`${large.label} / ${large.pods} pods`, 32)}${col('large/small', 13)}`);
for (const m of metrics) {
  console.log(`${m.name.padEnd(30)}${col(fmt(small[m.key]), 30)}${col(fmt(large[m.key]), 32)}${col(`${(large[m.key] / small[m.key]).toFixed(1)}×`, 13)}`);
}
console.log(`${'heap held by the cluster, MB'.padEnd(30)}${col(fmt(small.heapMB, 1), 30)}${col(fmt(large.heapMB, 1), 32)}${col(`${(large.heapMB / small.heapMB).toFixed(1)}×`, 13)}`);
console.log(`${'10-stage pipeline on -o json, ms'.padEnd(30)}${col(fmt(small.pipelineMs!), 30)}${col('-', 32)}${col('-', 13)}`);
console.log(`${'build (createCluster), ms'.padEnd(30)}${col(fmt(small.buildMs, 0), 30)}${col(fmt(large.buildMs, 0), 32)}${col(`${(large.buildMs / small.buildMs).toFixed(1)}×`, 13)}`);

/** ms of `fn`: the median of RUNS calls (a build is too long to batch like timePer's). */
function medianMs(fn: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}
const RUNS = 5;

/** createCluster and startScenario of every variant of every scenario (default dressing): the worst of each. */
function measureScenarios(): { create: { ms: number; what: string }; start: { ms: number; what: string }; count: number } {
  const { scenarios, problems } = loadScenarioDir();
  if (problems.length > 0) throw new Error(`scenarios/ does not load:\n${problems.map(formatProblem).join('\n')}`);
  const cases = scenarios.flatMap((loaded) => loaded.variants.map((v) => ({ what: `${loaded.id}/${v.id}`, ...pinInstance(loaded, v.id) })));
  for (const c of cases) startScenario(c.scenario, c.seed); // the JIT warmed on every scenario's code, not only the first's
  let create = { ms: 0, what: '' };
  let start = { ms: 0, what: '' };
  for (const c of cases) {
    const clusterSeed = seedHash(c.seed, `cluster:${c.scenario.id}`);
    const createMs = medianMs(() => createCluster(c.scenario.cluster, clusterSeed));
    const startMs = medianMs(() => startScenario(c.scenario, c.seed));
    if (createMs > create.ms) create = { ms: createMs, what: c.what };
    if (startMs > start.ms) start = { ms: startMs, what: c.what };
  }
  return { create, start, count: cases.length };
}
const scenarioBuilds = measureScenarios();
console.log(`${`createCluster, worst of ${scenarioBuilds.count} scenario variants, ms`.padEnd(60)}${col(fmt(scenarioBuilds.create.ms, 1), 8)}  (${scenarioBuilds.create.what})`);
console.log(`${'startScenario, worst, ms'.padEnd(60)}${col(fmt(scenarioBuilds.start.ms, 1), 8)}  (${scenarioBuilds.start.what})`);

const within = (key: 'tickMs' | 'getPodsMs' | 'getPodsAfterWriteMs' | 'getPodsObservedMs' | 'describeMs') => large[key] / small[key] < MAX_RATIO;
const targets: Target[] = [
  { what: 'small tick ≤ 1 ms', ok: small.tickMs <= 1 },
  { what: 'small get pods -A ≤ 2 ms', ok: small.getPodsMs <= 2 },
  { what: `large tick < ${MAX_RATIO}× small`, ok: within('tickMs') },
  { what: `large get pods -A < ${MAX_RATIO}× small`, ok: within('getPodsMs') },
  { what: `large get pods -A after a pod write < ${MAX_RATIO}× small`, ok: within('getPodsAfterWriteMs') },
  { what: 'small get pods -A observed for scoring ≤ 2 ms', ok: small.getPodsObservedMs <= 2 },
  { what: `large get pods -A observed for scoring < ${MAX_RATIO}× small`, ok: within('getPodsObservedMs') },
  { what: `large describe pod < ${MAX_RATIO}× small`, ok: within('describeMs') },
  { what: 'small API get pods -A (Table, serialised) ≤ 5 ms', ok: small.apiGetPodsMs <= 5 },
  // The pipeline must also give its answer, not an error cut short.
  { what: 'small 10-stage pipeline over get pods -A -o json ≤ 5 ms', ok: small.pipelineMs! <= 5 && /^\d+ +\S+ +\S+\n/.test(small.pipelineOutput!) },
  { what: "every scenario's createCluster ≤ 50 ms", ok: scenarioBuilds.create.ms <= 50 },
];
console.log(`\ntargets (${large.pods / small.pods}× the pods; each figure is the median of ${BATCHES} timed batches after a warm-up; a scenario's build, of ${RUNS} calls):`);
for (const t of targets) console.log(`  ${verdict(t.ok).padEnd(5)} ${t.what}`);
