import { describe, expect, it } from 'vitest';
import { containerLogs, createCluster, deleteObject, demoClusterSpec, keyOf, setUnitActive, tick, updateObject } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';

function withApp(app: NonNullable<ClusterSpecInput['deployments']>[number]): ClusterSpecInput {
  return { ...demoClusterSpec, deployments: [...(demoClusterSpec.deployments ?? []), app] };
}
const podOf = (s: ClusterState, prefix: string): Pod => Object.values(s.pods).find((p) => p.metadata.name.startsWith(prefix))!;

describe('kubelet', () => {
  it('crash → restart, then CrashLoopBackOff with a doubling back-off capped at 5m', () => {
    const s = createCluster(withApp({
      name: 'crashy', replicas: 1,
      containers: [{ name: 'app', image: 'ghcr.io/acme/crashy:2.0.1', behavior: { crashAfter: '5s', exitCode: 1, startupLogs: ['starting'], crashLogs: ['panic: config key "DB_URL" missing'] } }],
    }), 11);
    const pod = podOf(s, 'crashy-');
    const cs = () => pod.status.containerStatuses[0]!;
    expect(cs().restartCount).toBeGreaterThanOrEqual(2);
    const restarts: number[] = [];
    const messages = new Set<string>();
    let last = cs().restartCount;
    for (let t = 0; t < 1500; t++) {
      tick(s, 1000);
      const st = cs().state;
      if (st.kind === 'waiting') messages.add(st.message ?? '');
      if (cs().restartCount !== last) {
        restarts.push(s.now);
        last = cs().restartCount;
      }
    }
    const gaps = restarts.slice(1).map((t, i) => (t - restarts[i]!) / 1000);
    // run 5 s, then wait the back-off: 80 s, 160 s, 300 s (cap), 300 s…
    // each gap: 5 s running + 1 s shown as terminated (Error) + the back-off: 80 s, 160 s, then the 5 min cap
    expect(gaps.slice(0, 4)).toEqual([86, 166, 306, 306]);
    expect([...messages].some((m) => /^back-off 5m0s restarting failed container=app pod=crashy-[a-z0-9]+-[a-z0-9]{5}_default\([0-9a-f-]{36}\)$/.test(m))).toBe(true);
    expect(cs().lastState).toMatchObject({ kind: 'terminated', reason: 'Error', exitCode: 1 });
    expect(pod.status.phase).toBe('Running');
    const backoff = s.events.find((e) => e.reason === 'BackOff' && e.involvedObject.uid === pod.metadata.uid)!;
    expect(backoff.type).toBe('Warning');
    expect(backoff.message).toBe(`Back-off restarting failed container app in pod ${pod.metadata.name}_default(${pod.metadata.uid})`);
    expect(backoff.count).toBeGreaterThan(1);
    expect(backoff.involvedObject.fieldPath).toBe('spec.containers{app}');
    expect(containerLogs(s, pod, 'app', true).map((l) => l.text)).toEqual(['starting', 'panic: config key "DB_URL" missing']);
  });

  it('back-off steps are 10s, 20s, 40s from a fresh crash loop', () => {
    const s = createCluster(demoClusterSpec, 5);
    const web = podOf(s, 'web-');
    web.behavior.nginx = { ...web.behavior.nginx, crashAfterMs: 2000, exitCode: 1 };
    const seen: string[] = [];
    for (let t = 0; t < 200; t++) {
      tick(s, 1000);
      const st = web.status.containerStatuses[0]!.state;
      if (st.kind === 'waiting' && !seen.includes(st.message!)) seen.push(st.message!);
    }
    expect(seen.map((m) => m.split(' ')[1])).toEqual(['10s', '20s', '40s', '1m20s', '2m40s']);
  });

  it('OOMKilled when the program outgrows its memory limit', () => {
    const s = createCluster(withApp({
      name: 'hungry', replicas: 1,
      containers: [{ image: 'ghcr.io/acme/hungry:1', limits: { memory: '128Mi' }, behavior: { memoryUse: '300Mi' } }],
    }), 2);
    const pod = podOf(s, 'hungry-');
    expect(pod.status.containerStatuses[0]!.lastState).toMatchObject({ kind: 'terminated', reason: 'OOMKilled', exitCode: 137 });
    const node = s.nodes[pod.spec.nodeName!]!;
    expect(node.host.syslog.some((l) => l.text.includes('Memory cgroup out of memory: Killed process'))).toBe(true);
  });

  it('ErrImagePull then ImagePullBackOff with the real events', () => {
    const s = createCluster(demoClusterSpec, 2);
    const spec = structuredClone(s.deployments['default/api']!);
    spec.spec.template.spec.containers[0]!.image = 'ghcr.io/acme/orders-api:1.4.3';
    spec.spec.template.behavior.api = { ...spec.spec.template.behavior.api, imagePullError: 'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/orders-api:1.4.3": not found' };
    spec.metadata.generation++;
    expect(updateObject(s, 'Deployment', spec).ok).toBe(true);
    tick(s, 4000);
    const fresh = Object.values(s.pods).filter((p) => p.metadata.name.startsWith('api-') && p.status.phase === 'Pending' && p.spec.nodeName);
    expect(fresh.length).toBeGreaterThan(0);
    const st = fresh[0]!.status.containerStatuses[0]!.state;
    expect(st).toMatchObject({ kind: 'waiting', reason: 'ImagePullBackOff' });
    const reasons = s.events.filter((e) => e.involvedObject.uid === fresh[0]!.metadata.uid).map((e) => `${e.reason}: ${e.message}`);
    expect(reasons).toContain('Pulling: Pulling image "ghcr.io/acme/orders-api:1.4.3"');
    expect(reasons).toContain('Failed: Error: ErrImagePull');
    expect(reasons).toContain('BackOff: Back-off pulling image "ghcr.io/acme/orders-api:1.4.3"');
    expect(reasons).toContain('Failed: Error: ImagePullBackOff');
    // the old ReplicaSet keeps serving: maxUnavailable 25% of 2 = 0
    expect(Object.values(s.pods).filter((p) => p.metadata.name.startsWith('api-') && p.status.phase === 'Running')).toHaveLength(2);
  });

  it('stopping the kubelet makes the node NotReady after 40s and freezes its pods', () => {
    const s = createCluster(demoClusterSpec, 9);
    expect(setUnitActive(s, 'worker-2', 'kubelet', false)).toBe(true);
    tick(s, 30_000);
    expect(s.nodes['worker-2']!.status.conditions.find((c) => c.type === 'Ready')!.status).toBe('True');
    tick(s, 15_000);
    const ready = s.nodes['worker-2']!.status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(s.nodes['worker-2']!.spec.taints.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(s.events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node worker-2 status is now: NodeNotReady')).toBe(true);
    // endpoints drop the pods of that node
    const web = s.endpoints['default/web']!.subsets[0]!;
    expect(web.addresses.every((a) => a.nodeName !== 'worker-2')).toBe(true);
    setUnitActive(s, 'worker-2', 'kubelet', true);
    tick(s, 12_000);
    expect(s.nodes['worker-2']!.status.conditions.find((c) => c.type === 'Ready')!.status).toBe('True');
    expect(s.nodes['worker-2']!.spec.taints).toEqual([]);
  });

  it('CNI IP exhaustion: FailedCreatePodSandBox and the pod stays ContainerCreating', () => {
    const s = createCluster({ ...demoClusterSpec, nodes: demoClusterSpec.nodes.map((n) => (n.name === 'cp-1' ? n : { ...n, maxPodIPs: 3 })) }, 4);
    const stuck = Object.values(s.pods).filter((p) => p.status.phase === 'Pending');
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck[0]!.status.containerStatuses[0]!.state).toMatchObject({ kind: 'waiting', reason: 'ContainerCreating' });
    tick(s, 30_000);
    const evs = s.events.filter((e) => e.reason === 'FailedCreatePodSandBox' && e.involvedObject.uid === stuck[0]!.metadata.uid);
    expect(evs).toHaveLength(1); // retried every 10 s, aggregated
    expect(evs[0]!.count).toBe(3);
    const ev = evs[0]!;
    expect(ev.message).toMatch(/^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="aws-cni" name="aws-cni" failed \(add\): add cmd: failed to assign an IP address to container$/);
  });

  it('deleting a pod: Terminating, then gone, and the ReplicaSet replaces it', () => {
    const s = createCluster(demoClusterSpec, 9);
    const victim = podOf(s, 'web-');
    expect(deleteObject(s, 'Pod', keyOf(victim)).ok).toBe(true);
    expect(s.pods[keyOf(victim)]!.metadata.deletionTimestamp).toBe(30_000);
    tick(s, 3000);
    expect(s.pods[keyOf(victim)]).toBeUndefined();
    const web = Object.values(s.pods).filter((p) => p.metadata.name.startsWith('web-'));
    expect(web).toHaveLength(3);
    expect(s.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container nginx')).toBe(true);
  });
});
