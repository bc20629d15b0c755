import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectlFixture, kubectlRunner } from '../helpers/kubectl-fixture.js';

const k = async () => kubectlRunner(kubectlFixture());

describe('kubectl get', () => {
  it('prints pods with the real columns, statuses and restart ages', async () => {
    const run = await k();
    expect(run('kubectl get pods')).toEqual({
      stdout: [
        'NAME                  READY   STATUS             RESTARTS      AGE',
        'big-job               0/1     Pending            0             120m',
        'web-7d4b9c8f5-abcde   1/1     Running            0             5m12s',
        'web-7d4b9c8f5-fghij   0/1     CrashLoopBackOff   3 (45s ago)   30m',
        '',
      ].join('\n'),
      stderr: '', exitCode: 0,
    });
  });
  it('adds NAMESPACE with -A and the wide columns with -o wide', async () => {
    const out = (await k())('kubectl get po -A -o wide').stdout.split('\n');
    expect(out[0]).toBe('NAMESPACE     NAME                       READY   STATUS             RESTARTS      AGE     IP           NODE       NOMINATED NODE   READINESS GATES');
    expect(out[4]).toBe('kube-system   coredns-5dd5756b68-xk2p9   1/1     Running            0             10d     10.244.0.3   cp-1       <none>           <none>');
  });
  it('prints nodes, services and deployments like kubectl', async () => {
    const run = await k();
    expect(run('kubectl get nodes').stdout).toContain('worker-2   Ready,SchedulingDisabled   <none>          10d   v1.29.4\n');
    expect(run('kubectl get nodes').stdout).toContain('cp-1       Ready                      control-plane   10d   v1.29.4\n');
    const svc = run('kubectl get svc').stdout;
    expect(svc).toContain('NAME         TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)        AGE\n');
    expect(svc).toContain('web          NodePort       10.96.12.34   <none>        80:30080/TCP   3d5h\n');
    expect(svc).toContain('web-lb       LoadBalancer   10.96.50.60   <pending>     80:31234/TCP   90s\n');
    expect(run('kubectl get deploy').stdout).toBe('NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    1/2     2            1           3d5h\n');
    // printers.go printEvent: LAST SEEN is the last timestamp's age, the count only in -o wide.
    expect(run('kubectl get events').stdout).toContain('\n45s         Warning   BackOff            pod/web-7d4b9c8f5-fghij   Back-off');
  });
  // printers.go eventColumnDefinitions: SUBOBJECT and SOURCE (priority 1) come before MESSAGE,
  // FIRST SEEN, COUNT and NAME after it; formatEventSource joins component and host with ", ".
  it('interleaves the wide columns of events where printEvent puts them', async () => {
    const run = await k();
    const out = run('kubectl get events -o wide').stdout.split('\n');
    expect(out[0]).toMatch(/^LAST SEEN   TYPE {6}REASON {13}OBJECT {20}SUBOBJECT {14}SOURCE {14}MESSAGE {120,}FIRST SEEN   COUNT   NAME$/);
    expect(out[2]).toMatch(/^45s +Warning +BackOff +pod\/web-7d4b9c8f5-fghij +spec\.containers\{web\} +kubelet, worker-2 +Back-off restarting failed container web in pod \S+ +29m +12 +web-7d4b9c8f5-fghij\.17c8a1b2c3d4e5f6$/);
    expect(out[1]).toMatch(/^2m +Warning +FailedScheduling +pod\/big-job {38}default-scheduler +0\/3 nodes/);
    const labelled = run('kubectl get events -A -o wide --show-labels').stdout.split('\n')[0]!;
    expect(labelled.startsWith('NAMESPACE   LAST SEEN   TYPE')).toBe(true);
    expect(labelled.endsWith('FIRST SEEN   COUNT   NAME                                   LABELS')).toBe(true);
  });
  it('prefixes kinds for several types and separates tables', async () => {
    const out = (await k())('kubectl get all').stdout;
    expect(out).toContain('pod/web-7d4b9c8f5-abcde');
    expect(out).toContain('\n\nNAME                  READY   UP-TO-DATE   AVAILABLE   AGE\ndeployment.apps/web');
    expect(out).toContain('replicaset.apps/web-7d4b9c8f5');
  });
  it('reports NotFound, unknown types and empty namespaces like kubectl', async () => {
    const run = await k();
    expect(run('kubectl get pod nope')).toEqual({ stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', exitCode: 1 });
    expect(run('kubectl get deploy nope').stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
    expect(run('kubectl get foo')).toEqual({ stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n', exitCode: 1 });
    expect(run('kubectl get pods -n empty')).toEqual({ stdout: '', stderr: 'No resources found in empty namespace.\n', exitCode: 0 });
  });
  // get.go printGeneric: a single item implied (TYPE NAME, TYPE/NAME) returns its error alone, no
  // empty List; several names print the List, then the errors; --ignore-not-found prints nothing.
  it('prints only the NotFound error for one missing name in -o yaml|json|jsonpath', async () => {
    const run = await k();
    const notFound = { stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', exitCode: 1 };
    expect(run('kubectl get pod nope -o yaml')).toEqual(notFound);
    expect(run('kubectl get pod/nope -o json')).toEqual(notFound);
    expect(run("kubectl get pod nope -o jsonpath='{.metadata.name}'")).toEqual(notFound);
    expect(run('kubectl get pod nope --ignore-not-found -o yaml')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    const two = run('kubectl get pod nope nope2 -o yaml');
    expect(two.stdout).toBe('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
    expect(two.exitCode).toBe(1);
  });
  it('filters with label and field selectors', async () => {
    const run = await k();
    expect(run('kubectl get pods -l app=web -o name').stdout).toBe('pod/web-7d4b9c8f5-abcde\npod/web-7d4b9c8f5-fghij\n');
    expect(run('kubectl get pods -l app!=web,app -o name').stdout).toBe('pod/big-job\n');
    expect(run('kubectl get pods --field-selector=status.phase!=Running -o name').stdout).toBe('pod/big-job\n');
    expect(run('kubectl get pods -A --field-selector spec.nodeName=cp-1 -o name').stdout).toBe('pod/coredns-5dd5756b68-xk2p9\n');
    expect(run('kubectl get pods --field-selector foo=bar').stderr).toContain('field label not supported: foo');
  });
  // The apiserver's field label conversions beyond metadata.*: secrets' type (core/v1
  // conversion.go), namespaces' status.phase, ReplicaSets' status.replicas.
  it('selects secrets by type, namespaces by phase and ReplicaSets by replicas', async () => {
    const run = await k();
    expect(run('kubectl create secret generic s1 --from-literal=a=b').exitCode).toBe(0);
    expect(run('kubectl get secrets --field-selector type=Opaque -o name')).toEqual({ stdout: 'secret/s1\n', stderr: '', exitCode: 0 });
    expect(run('kubectl get secrets --field-selector type=kubernetes.io/tls -o name')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', exitCode: 0 });
    expect(run('kubectl get ns --field-selector status.phase=Terminating -o name').stdout).toBe('');
    expect(run('kubectl get ns --field-selector status.phase=Active -o name').stdout).toContain('namespace/default\n');
    expect(run('kubectl get rs -A --field-selector status.replicas=0').exitCode).toBe(0);
  });
  it('prints yaml, json, jsonpath and custom-columns from the manifest', async () => {
    const run = await k();
    const yaml = run('kubectl get pod web-7d4b9c8f5-abcde -o yaml').stdout;
    expect(yaml).toContain('  creationTimestamp: "2024-05-01T10:54:48Z"\n');
    expect(yaml).toContain('  containers:\n  - image: nginx:1.25\n');
    expect(parse(yaml)).toMatchObject({ apiVersion: 'v1', kind: 'Pod', spec: { nodeName: 'worker-1' }, status: { podIP: '10.244.1.5' } });
    const list = JSON.parse(run('kubectl get pods -o json').stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items).toHaveLength(3);
    expect(run('kubectl get pods', ['kubectl', 'get', 'pods', '-o', 'jsonpath={.items[*].status.phase}']).stdout).toBe('Pending Running Running');
    expect(run('kubectl get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName').stdout)
      .toBe('NAME                  NODE\nbig-job               <none>\nweb-7d4b9c8f5-abcde   worker-1\nweb-7d4b9c8f5-fghij   worker-2\n');
    expect(run('kubectl get pods -o go-template={{.kind}}').stdout).toBe('List');
    expect(run('kubectl get pods -o foo').stderr).toContain('unable to match a printer suitable for the output format "foo"');
  });
  it('sorts with --sort-by', async () => {
    const run = await k();
    expect(run('kubectl get pods --sort-by=.metadata.creationTimestamp -o name').stdout)
      .toBe('pod/big-job\npod/web-7d4b9c8f5-fghij\npod/web-7d4b9c8f5-abcde\n');
    expect(run('kubectl get pods --sort-by={.status.podIP} --no-headers').stdout.split('\n')[0]).toMatch(/^big-job /);
  });
  it('shows labels and label columns', async () => {
    const out = (await k())('kubectl get deploy --show-labels -L app').stdout;
    expect(out).toBe('NAME   READY   UP-TO-DATE   AVAILABLE   AGE    APP   LABELS\nweb    1/2     2            1           3d5h   web   app=web\n');
  });
});

describe('JSONPath is charged to the line budget', () => {
  // An attacker's six nested {range $.items[*]} took 3.8 s of CPU before; it stops at the budget now.
  it('stops nested ranges over the whole list instead of stalling the process', async () => {
    const { createCluster, demoClusterSpec } = await import('../../server/cluster/index.js');
    const { newSession, runLine } = await import('../../server/shell/index.js');
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const started = performance.now();
    const r = runLine(state, session, `kubectl get pods -A -o jsonpath='${'{range $.items[*]}'.repeat(6)}x${'{end}'.repeat(6)}'`);
    expect(r.exitCode).toBe(152);
    expect(r.output).toContain('CPU time limit exceeded');
    expect(performance.now() - started).toBeLessThan(3000);
    expect(runLine(state, session, "kubectl get pods -o jsonpath='{.constructor}'").output).toBe('');
  });
});

describe('custom-columns are charged as their cells are made', () => {
  // 500 `..name` columns made a 5 MB table, charged only once printed: 350 ms for 24 pods.
  it('stops a wide table at the budget, and charges what a descent visits', async () => {
    const { createCluster, demoClusterSpec } = await import('../../server/cluster/index.js');
    const { newSession, runLine } = await import('../../server/shell/index.js');
    const { LineBudget, MAX_STEPS_PER_LINE } = await import('../../server/shell/budget.js');
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const wide = new LineBudget();
    const columns = Array.from({ length: 500 }, (_, i) => `C${i}:..name`).join(',');
    const r = runLine(state, session, `kubectl get pods -A -o custom-columns=${columns}`, { budget: wide });
    expect(r.output).toMatch(/^bash: kubectl: CPU time limit exceeded/);
    // Stopped at the step that crossed the budget, not after the whole table was built.
    expect(wide.steps).toBeLessThan(MAX_STEPS_PER_LINE + 100_000);
    // A descent visits every value under each object: three steps each, not one (a field no
    // object has: the second column costs its descent and a `<none>` a row).
    const one = new LineBudget();
    const two = new LineBudget();
    runLine(state, session, 'kubectl get pods -A -o custom-columns=N:..nothing', { budget: one });
    runLine(state, session, 'kubectl get pods -A -o custom-columns=N:..nothing,M:..nothing', { budget: two });
    const values = (v: unknown): number => 1 + (v !== null && typeof v === 'object' ? Object.values(v).reduce<number>((n, c) => n + values(c), 0) : 0);
    const visited = (JSON.parse(runLine(state, session, 'kubectl get pods -A -o json').output) as { items: unknown[] }).items.reduce<number>((n, pod) => n + values(pod), 0);
    expect(two.steps - one.steps).toBeGreaterThanOrEqual(3 * visited);
  });
});

describe('kubectl get -w --output-watch-events', () => {
  // get.go: with --output-watch-events the listing comes as ADDED events and later changes as
  // ADDED/MODIFIED, in an EVENT column before the object's own.
  it('prints EVENT, then ADDED for the listing, then the watch\'s events', async () => {
    const { createCluster, demoClusterSpec, tick } = await import('../../server/cluster/index.js');
    const { newSession, runLine } = await import('../../server/shell/index.js');
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const run = (l: string) => runLine(state, session, l, { advance: (ms) => tick(state, ms) });
    run('kubectl scale deploy web --replicas=4');
    const lines = run('kubectl get pods -l app=web -w --output-watch-events').output.split('\n');
    expect(lines[0]).toMatch(/^EVENT {3}NAME {2,}READY {3}STATUS {4}RESTARTS {3}AGE$/);
    expect(lines.slice(1, 4).every((l) => /^ADDED {3}web-\S+ {3}1\/1 {5}Running/.test(l))).toBe(true);
    expect(lines.some((l) => /^ADDED {3}web-\S+ {3}0\/1 /.test(l))).toBe(true);
    expect(lines.some((l) => /^MODIFIED {3}web-\S+ {3}1\/1 /.test(l))).toBe(true);
    expect(run('kubectl get pods -l app=web -w').output.startsWith('NAME ')).toBe(true);
  });
});
