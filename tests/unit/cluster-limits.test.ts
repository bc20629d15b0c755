// The simulated cluster has the limits a real one has, so no player can grow it (and every
// tick's cost) without bound: the kubelet's max pods per node, an object-count quota per
// namespace with the ResourceQuota admission message, and a ceiling on all objects.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell(state: ClusterState): (line: string) => string {
  const session = newSession(state);
  return (line) => runLine(state, session, line).output;
}

const inNamespace = (s: ClusterState, ns: string) => Object.values(s.pods).filter((p) => p.metadata.namespace === ns);
const eventsOf = (s: ClusterState, reason: string) => s.events.filter((e) => e.reason === reason);

/** Plenty of CPU and memory: only the pod count can stop the scheduler. */
const roomySpec = (maxPods: number, limits?: ClusterSpecInput['limits']): ClusterSpecInput => ({
  nodes: [
    { name: 'cp-1', role: 'control-plane', cpu: '64', memory: '256Gi' },
    { name: 'worker-1', cpu: '64', memory: '256Gi', maxPods },
    { name: 'worker-2', cpu: '64', memory: '256Gi', maxPods },
  ],
  deployments: [{ name: 'app', replicas: 1, containers: [{ image: 'nginx:1.25.3', requests: { cpu: '10m', memory: '16Mi' } }] }],
  ...(limits ? { limits } : {}),
});

describe('cluster limits', () => {
  it('--replicas=100000 stops at the namespace quota with the real FailedCreate message', () => {
    const state = createCluster(demoClusterSpec, 3);
    const sh = shell(state);
    expect(sh('kubectl scale deployment api --replicas=100000')).toBe('deployment.apps/api scaled\n');
    for (let i = 0; i < 30; i++) tick(state, 1000);
    expect(inNamespace(state, 'default')).toHaveLength(500);
    const failed = eventsOf(state, 'FailedCreate').at(-1)!;
    expect(failed.message).toMatch(/^Error creating: pods "api-[a-z0-9]+-" is forbidden: exceeded quota: object-counts, requested: pods=1, used: pods=500, limited: pods=500$/);
    expect(failed.source.component).toBe('replicaset-controller');
    expect(sh('kubectl scale deployment api --replicas=99999999999999999999')).toMatch(/^error: invalid argument "99999999999999999999" for "--replicas" flag: strconv\.ParseInt: parsing "99999999999999999999": value out of range\n/);
    // Another namespace still has its own room.
    expect(sh('kubectl run probe -n kube-system --image=busybox')).toBe('pod/probe created\n');
  });

  it('creates at most 100 pods per ReplicaSet per second', () => {
    const state = createCluster(demoClusterSpec, 3);
    shell(state)('kubectl scale deployment web --replicas=400');
    tick(state, 1000);
    expect(inNamespace(state, 'default').length).toBeLessThanOrEqual(2 + 3 + 100);
  });

  it('keeps pods over a node\'s maxPods Pending with the scheduler\'s "Too many pods"', () => {
    const state = createCluster(roomySpec(6), 5);
    const sh = shell(state);
    sh('kubectl scale deployment app --replicas=20');
    for (let i = 0; i < 10; i++) tick(state, 1000);
    const perNode = (name: string) => Object.values(state.pods).filter((p) => p.spec.nodeName === name && !p.metadata.deletionTimestamp).length;
    expect(perNode('worker-1')).toBe(6);
    expect(perNode('worker-2')).toBe(6);
    const pending = inNamespace(state, 'default').filter((p) => !p.spec.nodeName);
    expect(pending.length).toBeGreaterThan(0);
    const message = eventsOf(state, 'FailedScheduling').at(-1)!.message;
    expect(message).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
    expect(sh(`kubectl get pod ${pending[0]!.metadata.name} --no-headers`)).toMatch(/ 0\/1 +Pending +0 /);
  });

  it('answers kubectl with the quota admission error, and the other kinds count too', () => {
    // configmaps: 2, since every namespace already holds kube-root-ca.crt (and it counts, as in a real quota).
    const state = createCluster(roomySpec(110, { quota: { pods: 3, configmaps: 2, deployments: 1 } }), 5);
    const sh = shell(state);
    expect(sh('kubectl run a --image=busybox')).toBe('pod/a created\n');
    expect(sh('kubectl run b --image=busybox')).toBe('pod/b created\n');
    expect(sh('kubectl run c --image=busybox')).toBe('Error from server (Forbidden): pods "c" is forbidden: exceeded quota: object-counts, requested: pods=1, used: pods=3, limited: pods=3\n');
    expect(sh('kubectl create configmap one --from-literal=a=b')).toBe('configmap/one created\n');
    expect(sh('kubectl create configmap two --from-literal=a=b')).toBe('Error from server (Forbidden): configmaps "two" is forbidden: exceeded quota: object-counts, requested: configmaps=1, used: configmaps=2, limited: configmaps=2\n');
    expect(sh('kubectl create deployment web --image=nginx')).toMatch(/deployments\.apps "web" is forbidden: exceeded quota: object-counts, requested: count\/deployments\.apps=1, used: count\/deployments\.apps=1, limited: count\/deployments\.apps=1\n$/);
    // A deleted pod frees its place.
    sh('kubectl delete pod a --force --grace-period=0');
    expect(sh('kubectl run c --image=busybox')).toBe('pod/c created\n');
  });

  it('refuses every create past the cluster\'s ceiling of objects', () => {
    const state = createCluster(roomySpec(110), 5);
    state.limits.maxObjects = Object.keys(state.pods).length + Object.keys(state.configmaps).length + Object.keys(state.services).length
      + Object.keys(state.endpoints).length + Object.keys(state.deployments).length + Object.keys(state.replicasets).length
      + Object.keys(state.daemonsets).length + Object.keys(state.nodes).length + Object.keys(state.namespaces).length
      + Object.values(state.stored ?? {}).reduce((n, objects) => n + Object.keys(objects).length, 0) + 1;
    const sh = shell(state);
    expect(sh('kubectl create configmap one --from-literal=a=b')).toBe('configmap/one created\n');
    expect(sh('kubectl create namespace more')).toBe('Error from server (Forbidden): namespaces "more" is forbidden: the simulated cluster holds at most ' + state.limits.maxObjects + ' objects\n');
  });

  it('admits the same on a clone of the state (counts are not carried over, they are recounted)', () => {
    const state = createCluster(roomySpec(110, { quota: { pods: 6 } }), 5);
    shell(state)('kubectl run a --image=busybox');
    const clone = structuredClone(state);
    const runAll = (s: ClusterState) => ['b', 'c', 'd', 'e', 'f'].map((name) => shell(s)(`kubectl run ${name} --image=busybox`));
    const outputs = runAll(state);
    expect(outputs.filter((o) => o.includes('exceeded quota: object-counts'))).toHaveLength(1); // app's pod, a, b, c, d, e: 6
    expect(runAll(clone)).toEqual(outputs);
    expect(Object.keys(clone.pods).sort()).toEqual(Object.keys(state.pods).sort());
  });

  it('keeps the limits in the cluster spec, with defaults', () => {
    const state = createCluster(demoClusterSpec, 1);
    expect(state.limits).toEqual({ quota: { pods: 500, services: 500, configmaps: 500, deployments: 500, replicasets: 2000, daemonsets: 100 }, maxObjects: 20_000 });
    expect(Object.values(state.nodes).every((n) => n.status.allocatable.pods === 110)).toBe(true);
  });
});
