import { describe, expect, it } from 'vitest';
import { containerLogs, createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';

const podsIn = (s: ClusterState, ns: string) => Object.values(s.pods).filter((p) => p.metadata.namespace === ns);

describe('createCluster(demo)', () => {
  const state = createCluster(demoClusterSpec, 42);

  it('has three nodes, all Ready, the control plane tainted', () => {
    expect(Object.keys(state.nodes)).toEqual(['cp-1', 'worker-1', 'worker-2']);
    for (const n of Object.values(state.nodes)) expect(n.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(state.nodes['cp-1']!.spec.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
  });

  // A real node's figures (kubectl get node -o json of a kubeadm node with 4 GiB of RAM):
  // capacity memory 4050864Ki (MemTotal, a few % under the RAM), allocatable 3948464Ki (less
  // memory.available<100Mi), ephemeral-storage 18446032Ki and 16999863064: less
  // int64(float64(capacity) * float64(float32(0.1))) for nodefs.available<10%
  // (kubelet cm hardEvictionReservation → evictionapi.GetThresholdQuantity).
  it('reports node memory as the kernel\'s MemTotal in Ki, and allocatable less the hard eviction thresholds', () => {
    const run = (line: string) => runLine(state, newSession(state), line).output;
    const worker = state.nodes['worker-1']!.status;
    expect(worker.capacity.memory % 1024).toBe(0);
    expect(worker.capacity.memory % 2 ** 20).not.toBe(0);
    expect(worker.capacity.memory).toBeGreaterThan(8 * 2 ** 30 * 0.965);
    expect(worker.capacity.memory).toBeLessThan(8 * 2 ** 30 * 0.976);
    expect(worker.allocatable.memory).toBe(worker.capacity.memory - 100 * 2 ** 20);
    expect(run('kubectl get node worker-1 -o jsonpath="{.status.capacity.memory} {.status.allocatable.memory}"')).toMatch(/^\d{7}Ki \d{7}Ki$/);
    expect(run('kubectl get node worker-1 -o jsonpath="{.status.allocatable.ephemeral-storage}"')).toBe(String(80 * 2 ** 30 - Math.trunc(80 * 2 ** 30 * Math.fround(0.1))));
    expect(run('kubectl describe node worker-1')).toContain(`  memory:             ${worker.capacity.memory / 1024}Ki\n`);
    // The node's own /proc/meminfo says the same.
    expect(run('ssh worker-1 grep MemTotal /proc/meminfo')).toBe(`MemTotal:       ${String(worker.capacity.memory / 1024).padStart(8)} kB\n`);
    // A real computation gives the real node's figure.
    expect(18446032 * 1024 - Math.trunc(18446032 * 1024 * Math.fround(0.1))).toBe(16999863064);
  });

  it('brings every pod up Running and ready', () => {
    const pods = Object.values(state.pods);
    expect(pods.length).toBe(18); // 5 app pods, 4 static, 2 coredns, 3+3 DaemonSet pods, metrics-server
    for (const p of pods) {
      expect(p.status.phase, p.metadata.name).toBe('Running');
      expect(p.status.containerStatuses.every((c) => c.ready && c.restartCount === 0)).toBe(true);
    }
  });

  it('runs the kube-system components with real names', () => {
    const names = podsIn(state, 'kube-system').map((p) => p.metadata.name);
    for (const n of ['etcd-cp-1', 'kube-apiserver-cp-1', 'kube-scheduler-cp-1', 'kube-controller-manager-cp-1']) expect(names).toContain(n);
    expect(names.filter((n) => /^coredns-[4-9bcdf]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(n))).toHaveLength(2);
    expect(names.filter((n) => /^kube-proxy-[a-z0-9]{5}$/.test(n))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('aws-node-'))).toHaveLength(3);
    expect(names.filter((n) => /^metrics-server-[4-9bcdf]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(n))).toHaveLength(1);
    expect(state.services['kube-system/kube-dns']!.spec.clusterIP).toBe('10.96.0.10');
    expect(state.configmaps['kube-system/coredns']!.data.Corefile).toContain('forward . /etc/resolv.conf');
  });

  it('back-dates objects to their spec age (days before t=0)', () => {
    const web = podsIn(state, 'default').find((p) => p.metadata.name.startsWith('web-'))!;
    expect(web.metadata.creationTimestamp).toBeLessThan(-6 * 86_400_000 + 60_000);
    expect(web.metadata.creationTimestamp).toBeGreaterThan(-6 * 86_400_000 - 60_000);
    expect(state.nodes['worker-2']!.metadata.creationTimestamp).toBe(-17 * 86_400_000);
    expect(state.events).toEqual([]);
  });

  it('fills endpoints from ready pods', () => {
    const ep = state.endpoints['default/web']!;
    expect(ep.subsets[0]!.addresses).toHaveLength(3);
    expect(ep.subsets[0]!.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    expect(state.endpoints['default/kubernetes']!.subsets[0]!.addresses[0]!.ip).toBe('10.0.1.10');
  });

  it('writes real static pod manifests and host files', () => {
    const etcdYaml = state.nodes['cp-1']!.host.files['/etc/kubernetes/manifests/etcd.yaml']!;
    expect(etcdYaml).toContain('--quota-backend-bytes=2147483648');
    expect(etcdYaml).toContain('--data-dir=/var/lib/etcd');
    expect(state.nodes['worker-1']!.host.files['/etc/resolv.conf']).toContain('nameserver 127.0.0.53');
    expect(state.nodes['worker-1']!.host.units.kubelet!.journal.some((l) => l.text.includes('"Kubelet version"'))).toBe(true);
  });

  it('shows control-plane logs for the static pods', () => {
    const apiserver = state.pods['kube-system/kube-apiserver-cp-1']!;
    const lines = containerLogs(state, apiserver, 'kube-apiserver', false);
    expect(lines.some((l) => /^I\d{4} \d\d:\d\d:\d\d\.\d{6} +1 secure_serving\.go:213\] Serving securely on \[::\]:6443$/.test(l.text))).toBe(true);
    const etcd = containerLogs(state, state.pods['kube-system/etcd-cp-1']!, 'etcd', false);
    expect(JSON.parse(etcd[0]!.text).msg).toBe('Running: ');
  });

  it('stays settled: ticking an idle cluster writes nothing but background load', () => {
    const s = structuredClone(state);
    const versions = (x: ClusterState) => Object.values(x.pods).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`);
    const before = versions(s);
    tick(s, 60_000);
    expect(versions(s)).toEqual(before);
    expect(s.now).toBe(60_000);
  });
});
