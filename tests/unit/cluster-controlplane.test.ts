import { describe, expect, it } from 'vitest';
import { apiUnavailable, containerLogs, createCluster, demoClusterSpec, mutateObject, setUnitActive, tick } from '../../server/cluster/index.js';

describe('control plane', () => {
  it('a stopped scheduler shows as a crash-looping static pod', () => {
    const s = createCluster(demoClusterSpec, 1);
    s.controlPlane.scheduler.running = false;
    tick(s, 30_000);
    const pod = s.pods['kube-system/kube-scheduler-cp-1']!;
    const cs = pod.status.containerStatuses[0]!;
    expect(cs.restartCount).toBeGreaterThan(0);
    expect(cs.state).toMatchObject({ kind: 'waiting', reason: 'CrashLoopBackOff' });
    expect(cs.lastState).toMatchObject({ kind: 'terminated', reason: 'Error', exitCode: 1 });
    s.controlPlane.scheduler.running = true;
    tick(s, 60_000);
    expect(pod.status.containerStatuses[0]!.state.kind).toBe('running');
    // The restarted instance shows what the component logged since it started, not its predecessors' lines.
    const started = pod.status.containerStatuses[0]!.state;
    s.controlPlane.scheduler.logs.push({ at: s.now, text: 'I0603 09:01:30.000000       1 leaderelection.go:260] successfully acquired lease kube-system/kube-scheduler' });
    expect(containerLogs(s, pod, 'kube-scheduler', false).map((l) => l.text)).toEqual([s.controlPlane.scheduler.logs.at(-1)!.text]);
    expect(started.kind === 'running' && containerLogs(s, pod, 'kube-scheduler', false).every((l) => l.at >= started.startedAt)).toBe(true);
  });

  it('without the controller-manager a scale-up creates no pods', () => {
    const s = createCluster({ ...demoClusterSpec, controlPlane: { controllerManager: false } }, 1);
    mutateObject(s, 'Deployment', 'default/web', (d) => void (d.spec.replicas = 5));
    tick(s, 10_000);
    expect(Object.keys(s.pods).filter((k) => k.startsWith('default/web-'))).toHaveLength(3);
  });

  it('a stopped apiserver refuses connections like kubectl reports it', () => {
    const s = createCluster({ ...demoClusterSpec, controlPlane: { apiserver: false } }, 1);
    expect(apiUnavailable(s)?.message).toBe('The connection to the server 10.0.1.10:6443 was refused - did you specify the right host or port?');
  });

  it('systemctl stop/start kubelet writes the systemd journal lines', () => {
    const s = createCluster(demoClusterSpec, 1);
    tick(s, 5000);
    setUnitActive(s, 'worker-1', 'kubelet', false);
    tick(s, 5000);
    setUnitActive(s, 'worker-1', 'kubelet', true);
    const journal = s.nodes['worker-1']!.host.units.kubelet!.journal.filter((l) => l.at >= 5000).map((l) => l.text);
    expect(journal.slice(0, 4)).toEqual([
      'systemd[1]: Stopping kubelet.service - kubelet: The Kubernetes Node Agent...',
      'systemd[1]: kubelet.service: Deactivated successfully.',
      'systemd[1]: Stopped kubelet.service - kubelet: The Kubernetes Node Agent.',
      'systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.',
    ]);
    expect(journal[4]).toMatch(/^kubelet\[\d+\]: I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ server\.go:487\] "Kubelet version" kubeletVersion="v1\.29\.4"$/);
    expect(setUnitActive(s, 'worker-1', 'nope', false)).toBe(false);
  });

  it('a node built with its kubelet stopped is NotReady from the start', () => {
    const s = createCluster({ ...demoClusterSpec, nodes: demoClusterSpec.nodes.map((n) => (n.name === 'worker-2' ? { ...n, kubeletRunning: false } : n)) }, 1);
    expect(s.nodes['worker-2']!.status.conditions.find((c) => c.type === 'Ready')!.status).toBe('Unknown');
    expect(s.nodes['worker-2']!.host.units.kubelet!.active).toBe(false);
  });
});
