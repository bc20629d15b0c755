import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, mutateObject, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';

const podsOf = (s: ClusterState, prefix: string) => Object.values(s.pods).filter((p) => p.metadata.namespace === 'default' && p.metadata.name.startsWith(prefix));
const failedScheduling = (s: ClusterState, pod: Pod) => s.events.filter((e) => e.involvedObject.uid === pod.metadata.uid && e.reason === 'FailedScheduling');

function scale(s: ClusterState, name: string, replicas: number) {
  const res = mutateObject(s, 'Deployment', `default/${name}`, (d) => {
    d.spec.replicas = replicas;
    d.metadata.generation++;
  });
  expect(res.ok).toBe(true);
}

describe('scheduler', () => {
  it('scales up within capacity: new pods are scheduled and Running, with Scheduled events', () => {
    const s = createCluster(demoClusterSpec, 7);
    scale(s, 'web', 5);
    tick(s, 5000);
    const web = podsOf(s, 'web-');
    expect(web).toHaveLength(5);
    expect(web.every((p) => p.status.phase === 'Running')).toBe(true);
    const scheduled = s.events.filter((e) => e.reason === 'Scheduled');
    expect(scheduled).toHaveLength(2);
    expect(scheduled[0]!.message).toMatch(/^Successfully assigned default\/web-[a-z0-9]+-[a-z0-9]{5} to worker-[12]$/);
    expect(scheduled[0]!.source).toEqual({ component: 'default-scheduler' });
    const scaling = s.events.find((e) => e.reason === 'ScalingReplicaSet')!;
    expect(scaling.message).toMatch(/^Scaled up replica set web-[a-z0-9]+ to 5 from 3$/);
  });

  it('scaling past capacity leaves pods Pending with the real FailedScheduling message', () => {
    const s = createCluster(demoClusterSpec, 7);
    scale(s, 'api', 20); // 250m each; the workers have 2 CPUs each
    tick(s, 5000);
    const pending = podsOf(s, 'api-').filter((p) => p.status.phase === 'Pending');
    expect(pending.length).toBeGreaterThan(0);
    const pod = pending[0]!;
    expect(pod.spec.nodeName).toBeUndefined();
    const cond = pod.status.conditions.find((c) => c.type === 'PodScheduled')!;
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    const events = failedScheduling(s, pod);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
  });

  it('retries when the cluster changes (scaling another deployment down frees room)', () => {
    const s = createCluster(demoClusterSpec, 7);
    scale(s, 'api', 20);
    tick(s, 5000);
    const pendingBefore = podsOf(s, 'api-').filter((p) => !p.spec.nodeName).length;
    scale(s, 'web', 0);
    tick(s, 10_000);
    const pendingAfter = podsOf(s, 'api-').filter((p) => !p.spec.nodeName).length;
    expect(pendingAfter).toBeLessThan(pendingBefore);
  });

  it('reports nodeSelector and cordoned nodes', () => {
    const spec: ClusterSpecInput = {
      ...demoClusterSpec,
      nodes: demoClusterSpec.nodes.map((n) => (n.name === 'worker-2' ? { ...n, unschedulable: true } : n)),
      deployments: [{ name: 'gpu', replicas: 1, nodeSelector: { accelerator: 'nvidia' }, containers: [{ image: 'nginx:1.25.3' }] }],
    };
    const s = createCluster(spec, 3);
    const pod = podsOf(s, 'gpu-')[0]!;
    expect(pod.status.phase).toBe('Pending');
    expect(pod.status.conditions.find((c) => c.type === 'PodScheduled')!.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('a toleration for the control-plane taint lets a pod land there', () => {
    const spec: ClusterSpecInput = {
      ...demoClusterSpec,
      deployments: [{
        name: 'agent', replicas: 1, nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ image: 'busybox:1.36' }],
      }],
    };
    const s = createCluster(spec, 3);
    expect(podsOf(s, 'agent-')[0]!.spec.nodeName).toBe('cp-1');
  });

  it('with the scheduler stopped new pods stay Pending without events', () => {
    const s = createCluster(demoClusterSpec, 7);
    s.controlPlane.scheduler.running = false;
    scale(s, 'web', 4);
    tick(s, 5000);
    const unbound = podsOf(s, 'web-').filter((p) => !p.spec.nodeName);
    expect(unbound).toHaveLength(1);
    expect(unbound[0]!.status.phase).toBe('Pending');
    expect(failedScheduling(s, unbound[0]!)).toHaveLength(0);
    s.controlPlane.scheduler.running = true;
    tick(s, 3000);
    expect(podsOf(s, 'web-').every((p) => p.status.phase === 'Running')).toBe(true);
  });
});
