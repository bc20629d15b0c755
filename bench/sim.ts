// npm run bench:sim — cost of the simulation on a small and a large generated cluster:
// ms per 1 s tick, ms per `kubectl get pods -A` / `kubectl describe pod X` (when the shell
// exists), heap MB, and the large/small ratio (targets: small tick ≤ 1 ms, get pods ≤ 2 ms,
// large under 60× small).
import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCluster, tick } from '../server/cluster/index.js';
import { settle } from '../server/cluster/tick.js';
import type { ClusterSpecInput } from '../server/cluster/index.js';
import type { ClusterState } from '../server/cluster/types.js';

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
    network: {
      traffic: [
        { ip: '203.0.113.10', service: 'default/app-0', via: 'loadbalancer' as const, requestsPerMinute: 60 },
        { ip: '198.51.100.23', service: 'default/app-0', via: 'nodeport' as const, requestsPerMinute: 30 },
      ],
    },
  };
}

type Shell = {
  runLine: (state: ClusterState, session: unknown, line: string) => unknown;
  newSession: (state: ClusterState) => unknown;
};

async function loadShell(): Promise<Shell | undefined> {
  if (!existsSync(new URL('../server/shell/index.ts', import.meta.url))) return undefined;
  const specifier = '../server/shell/index.js'; // a variable: the module may not exist yet
  const mod = (await import(specifier)) as Partial<Shell>;
  return typeof mod.runLine === 'function' && typeof mod.newSession === 'function' ? (mod as Shell) : undefined;
}

function timePer(n: number, fn: () => void): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

// A real GC before each heap reading, without needing `node --expose-gc` on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Result { label: string; buildMs: number; tickMs: number; controllersMs: number; getPodsMs?: number; describeMs?: number; heapMB: number; pods: number }

async function measure(label: string, nodes: number, pods: number, shell: Shell | undefined, ticks: number): Promise<Result> {
  const heapBefore = heapMB();
  const t0 = performance.now();
  const state = createCluster(generatedSpec(nodes, pods), 1);
  const buildMs = performance.now() - t0;
  tick(state, 10_000); // past the first heartbeats
  const tickMs = timePer(ticks, () => tick(state, 1000));
  // The same step without synthetic client traffic: the controllers' own share.
  const controllersMs = timePer(ticks, () => settle(state, 1000));
  const result: Result = { label, buildMs, tickMs, controllersMs, heapMB: heapMB() - heapBefore, pods: Object.keys(state.pods).length };
  if (shell) {
    const session = shell.newSession(state);
    const victim = Object.values(state.pods).find((p) => p.metadata.namespace === 'default' && p.metadata.name.startsWith('app-'))!;
    const reps = Math.max(5, Math.round(3000 / pods));
    result.getPodsMs = timePer(reps, () => shell.runLine(state, session, 'kubectl get pods -A'));
    result.describeMs = timePer(reps * 4, () => shell.runLine(state, session, `kubectl describe pod ${victim.metadata.name}`));
  }
  return result;
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(3));

const shell = await loadShell();
const small = await measure('small (10 nodes / 300 pods)', 10, 300, shell, 500);
const large = await measure('large (500 nodes / 15000 pods)', 500, 15_000, shell, 20);
console.log('cluster                          pods   build ms   tick ms   (controllers ms)   get pods -A ms   describe pod ms   heap MB');
for (const r of [small, large]) {
  console.log(`${r.label.padEnd(32)} ${String(r.pods).padStart(5)} ${r.buildMs.toFixed(0).padStart(10)} ${fmt(r.tickMs).padStart(9)} ${fmt(r.controllersMs).padStart(18)} ${fmt(r.getPodsMs).padStart(16)} ${fmt(r.describeMs).padStart(17)} ${r.heapMB.toFixed(1).padStart(9)}`);
}
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(b / a).toFixed(1)}×`);
console.log(`large/small: tick ${ratio(small.tickMs, large.tickMs)} (controllers ${ratio(small.controllersMs, large.controllersMs)}), get pods -A ${ratio(small.getPodsMs, large.getPodsMs)}, describe pod ${ratio(small.describeMs, large.describeMs)}`);
console.log(`targets: small tick ≤ 1 ms: ${small.tickMs <= 1 ? 'ok' : 'MISSED'}; get pods -A ≤ 2 ms: ${small.getPodsMs === undefined ? 'n/a (no shell yet)' : small.getPodsMs <= 2 ? 'ok' : 'MISSED'}; large tick < 60× small: ${large.tickMs < 60 * small.tickMs ? 'ok' : 'MISSED'}`);
