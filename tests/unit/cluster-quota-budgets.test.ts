// ResourceQuota admission and PodDisruptionBudgets behind the kinds: creates past a quota are
// forbidden with the admission plugin's message (kubernetes plugin/pkg/admission/resourcequota
// controller.go: "exceeded quota: %s, requested: %s, used: %s, limited: %s"; pkg/quota/v1/
// evaluator/core/pods.go: "must specify …"), the controllers keep status current for `get` and
// `describe` (kubectl pkg/describe describe.go: describeQuota, describePodDisruptionBudget), and
// `kubectl drain` evicts through budgets the way k8s.io/kubectl/pkg/drain does ("evicting pod",
// "(will retry after 5s)", "global timeout reached").
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
}

describe('ResourceQuota', () => {
  it('forbids a pod past the hard limit and one that does not state a quota-ed resource', () => {
    const run = shell();
    run('kubectl create namespace team; kubectl create quota compute -n team --hard=pods=1,count/configmaps=1');
    expect(run('kubectl run a -n team --image=nginx').output).toBe('pod/a created\n');
    expect(run('kubectl run b -n team --image=nginx')).toEqual({
      output: 'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1\n',
      exitCode: 1,
    });
    run('kubectl create cm one -n team');
    expect(run('kubectl create cm two -n team').output).toBe(
      'Error from server (Forbidden): configmaps "two" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1\n',
    );
    run('kubectl create quota cpu -n team --hard=requests.cpu=2');
    run('kubectl delete pod a -n team --grace-period=0 --force');
    expect(run('kubectl run c -n team --image=nginx').output).toBe('Error from server (Forbidden): pods "c" is forbidden: failed quota: cpu: must specify requests.cpu for: c\n');
    // A limit without a request requests the limit (the apiserver's defaulting), so it passes.
    expect(run(`cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: team}
spec:
  containers:
  - {name: app, image: nginx, resources: {limits: {cpu: 500m}}}
EOF`).output).toBe('pod/d created\n');
  });

  it('stops a controller from creating pods (FailedCreate) and shows Used / Hard', () => {
    const run = shell();
    run('kubectl create quota q --hard=pods=6,limits.memory=8Gi');
    run('kubectl scale deploy web --replicas=6; sleep 5');
    expect(run('kubectl get events --field-selector reason=FailedCreate -o jsonpath={.items[0].message}').output)
      .toMatch(/^Error creating: pods "web-[a-z0-9]+-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=6, limited: pods=6$/);
    expect(run('kubectl describe quota q').output).toBe([
      'Name:          q',
      'Namespace:     default',
      'Resource       Used  Hard',
      '--------       ----  ----',
      'limits.memory  2Gi   8Gi',
      'pods           6     6',
      '',
    ].join('\n'));
    expect(run('kubectl get quota q').output).toMatch(/^NAME +AGE +REQUEST +LIMIT\nq +5s +pods: 6\/6 +limits.memory: 2Gi\/8Gi\n$/);
  });
});

describe('ResourceQuota scopes', () => {
  // pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc; describe.go describeQuota + helpTextForResourceQuotaScope.
  it('counts only the pods a scope matches and leaves other kinds alone', () => {
    const run = shell();
    run('kubectl create namespace team');
    expect(run('kubectl create quota be -n team --hard=pods=1,count/configmaps=0 --scopes=BestEffort').output).toBe('resourcequota/be created\n');
    expect(run('kubectl run a -n team --image=nginx').output).toBe('pod/a created\n');
    expect(run('kubectl run b -n team --image=nginx').output).toBe(
      'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1\n',
    );
    // A pod with requests is not BestEffort: the scoped quota does not see it.
    expect(run('kubectl run c -n team --image=nginx --overrides=\'{"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"100m"}}}]}}\'').output).toBe('pod/c created\n');
    // A scoped quota tracks pods only (the generic evaluator matches no scope).
    expect(run('kubectl create cm one -n team').output).toBe('configmap/one created\n');
    run('sleep 5');
    expect(run('kubectl describe quota be -n team').output).toBe([
      // The help line has no tab: it ends tabwriter's column block, so the two blocks align apart.
      'Name:       be',
      'Namespace:  team',
      'Scopes:     BestEffort',
      ' * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.',
      'Resource          Used  Hard',
      '--------          ----  ----',
      'count/configmaps  0     0',
      'pods              1     1',
      '',
    ].join('\n'));
    expect(run('kubectl create quota bad -n team --hard=pods=1 --scopes=BestEffort,').output).toBe('error: invalid resource quota scope ""\n');
  });

  it('matches priority classes by selector and the Terminating scope by active deadline', () => {
    const run = shell();
    run('kubectl create namespace team');
    run(`cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: ResourceQuota
metadata: {name: crit, namespace: team}
spec:
  hard: {pods: "0"}
  scopeSelector:
    matchExpressions:
    - {scopeName: PriorityClass, operator: In, values: [high]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: batch, namespace: team}
spec:
  hard: {pods: "1"}
  scopes: [Terminating]
EOF`);
    const pod = (name: string, extra: string) => `cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: team}
spec:
  ${extra}
  containers: [{name: app, image: busybox, command: [sleep, "3600"]}]
EOF`;
    expect(run(pod('p1', 'priorityClassName: high')).output).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "p1" is forbidden: exceeded quota: crit, requested: pods=1, used: pods=0, limited: pods=0\n',
    );
    expect(run(pod('p2', 'activeDeadlineSeconds: 30')).output).toBe('pod/p2 created\n');
    expect(run(pod('p3', 'activeDeadlineSeconds: 30')).output).toMatch(/exceeded quota: batch, requested: pods=1, used: pods=1, limited: pods=1/);
    expect(run(pod('p4', 'restartPolicy: Always')).output).toBe('pod/p4 created\n');
  });
});

describe('activeDeadlineSeconds', () => {
  // pkg/kubelet/active_deadline.go: Failed, reason DeadlineExceeded, a Normal event; ValidatePodUpdate may only shorten it.
  it('fails the pod once the deadline has passed since it started', () => {
    const run = shell();
    run(`cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata: {name: short}
spec:
  activeDeadlineSeconds: 20
  containers: [{name: app, image: busybox, command: [sleep, "3600"]}]
EOF`);
    run('sleep 10');
    expect(run('kubectl get pod short -o jsonpath={.status.phase}').output).toBe('Running');
    run('sleep 20');
    expect(run('kubectl get pod short -o jsonpath={.status.phase}/{.status.reason}/{.status.message}').output)
      .toBe('Failed/DeadlineExceeded/Pod was active on the node longer than the specified deadline');
    expect(run('kubectl get events --field-selector reason=DeadlineExceeded -o jsonpath={.items[0].type}').output).toBe('Normal');
  });

  it('refuses a pod update that lengthens the deadline, and a value out of range', () => {
    const run = shell();
    run('kubectl run p --image=nginx');
    expect(run('kubectl patch pod p -p \'{"spec":{"activeDeadlineSeconds":100}}\'').output).toBe('pod/p patched\n');
    expect(run('kubectl patch pod p -p \'{"spec":{"activeDeadlineSeconds":50}}\'').output).toBe('pod/p patched\n');
    expect(run('kubectl patch pod p -p \'{"spec":{"activeDeadlineSeconds":60}}\'').output).toBe(
      'The Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value\n',
    );
    expect(run('kubectl run q --image=nginx --overrides=\'{"spec":{"activeDeadlineSeconds":0}}\'').output).toBe(
      'The Pod "q" is invalid: spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive\n',
    );
  });
});

describe('LimitRange', () => {
  const range = `kubectl create ns team; cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: team}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m}
    max: {cpu: "1"}
EOF`;

  it('fills in defaults (and says so in the annotation) before quotas count the pod', () => {
    const run = shell();
    run(range);
    run('kubectl create quota q -n team --hard=requests.cpu=150m');
    expect(run('kubectl run a -n team --image=nginx').output).toBe('pod/a created\n');
    expect(run('kubectl get pod a -n team -o jsonpath="{.spec.containers[0].resources} {.status.qosClass}"').output)
      .toBe('{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"256Mi"}} Burstable');
    expect(run("kubectl get pod a -n team -o jsonpath='{.metadata.annotations.kubernetes\\.io/limit-ranger}'").output)
      .toBe('LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a');
    expect(run('kubectl run b -n team --image=nginx').output).toMatch(/exceeded quota: q, requested: requests.cpu=100m, used: requests.cpu=100m, limited: requests.cpu=150m\n$/);
  });

  it('refuses a container over the maximum with the plugin message', () => {
    const run = shell();
    run(range);
    const pod = `cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata: {name: big, namespace: team}
spec:
  containers:
  - name: app
    image: nginx
    resources: {limits: {cpu: "2"}}
EOF`;
    expect(run(pod).output).toBe('Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2\n');
  });
});

describe('PodDisruptionBudget', () => {
  it('keeps its status and makes drain retry, then give up at --timeout', () => {
    const run = shell();
    run('kubectl create pdb web --selector=app=web --min-available=3; sleep 1');
    expect(run('kubectl describe pdb web').output).toBe([
      'Name:           web',
      'Namespace:      default',
      'Min available:  3',
      'Selector:       app=web',
      'Status:',
      '    Allowed disruptions:  0',
      '    Current:              3',
      '    Desired:              3',
      '    Total:                3',
      'Events:                   <none>',
      '',
    ].join('\n'));
    const drained = run('kubectl drain worker-1 --ignore-daemonsets --timeout=12s');
    expect(drained.exitCode).toBe(1);
    const blocked = drained.output.match(/error when evicting pods\/"web-[a-z0-9-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.\n/g) ?? [];
    expect(blocked.length).toBeGreaterThanOrEqual(2);
    expect(drained.output).toMatch(/error: unable to drain node "worker-1" due to error:.*global timeout reached: 12s.*, continuing command...\nThere are pending nodes to be drained:\n worker-1\n/);
    expect(run('kubectl get pods -l app=web --field-selector spec.nodeName=worker-1 -o name').output).not.toBe('');
    // Deleting a pod does not ask the budget; --disable-eviction deletes too.
    expect(run('kubectl drain worker-1 --ignore-daemonsets --disable-eviction').output).toMatch(/node\/worker-1 drained\n/);
  });

  it('lets drain go on one pod at a time under maxUnavailable: 1', () => {
    const run = shell();
    run('kubectl create pdb web --selector=app=web --max-unavailable=1; sleep 1');
    // A node with two of web's pods: the second waits for the first's replacement.
    const nodes = run(`kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName}{"\\n"}{end}'`).output.trim().split('\n');
    const node = nodes.find((n) => nodes.filter((m) => m === n).length >= 2)!;
    const drained = run(`kubectl drain ${node} --ignore-daemonsets`);
    expect(drained.exitCode).toBe(0);
    expect(drained.output).toMatch(new RegExp(`node/${node} drained\\n`));
    expect(drained.output).toContain("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.");
  });
});
