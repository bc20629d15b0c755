// Node daemons that fail for reasons on the node itself, and what the kubelet does when the
// node runs out of disk. Formats checked against the real tools:
//  - /proc/swaps: mm/swapfile.c swap_show ("%s%*s%s\t%lu\t%s%lu\t%s%d\n", path padded to 40)
//  - kubelet v1.29 cmd/kubelet/app/server.go: "running with swap on is not supported, please
//    disable swap! or set --fail-swap-on flag to false. /proc/swaps contained: %v"
//  - kubelet "validate service connection: validate CRI v1 runtime API for endpoint %q"
//  - containerd v1.7 services/server/config: "failed to load TOML: %s: %w", go-toml v1
//    "(line, col): duplicated tables"
//  - pkg/kubelet/eviction helpers.go: "The node was low on resource: %v. " +
//    "Threshold quantity: %v, available: %v. "
//  - systemd: "activating (auto-restart) (Result: exit-code)", "Scheduled restart job, restart counter is at N."
import { describe, expect, it } from 'vitest';
import { writeDataFile } from '../../server/cluster/host.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { duplicateTomlTable, procSwaps } from '../../server/cluster/unit-start.js';
import { applyAction } from '../../server/scenarios/faults.js';
import { newSession, runLine } from '../../server/shell/index.js';

const GiB = 2 ** 30;
const ready = (s: ClusterState, node: string) => s.nodes[node]!.status.conditions.find((c) => c.type === 'Ready')!;
const taints = (s: ClusterState, node: string) => s.nodes[node]!.spec.taints.map((t) => `${t.key}:${t.effect}`);

function onNode(state: ClusterState, node: string) {
  const session = newSession(state);
  runLine(state, session, `ssh ${node}`);
  return (line: string) => runLine(state, session, line).output;
}

describe('swap and the kubelet', () => {
  it('/proc/swaps is printed the way the kernel does', () => {
    expect(procSwaps([{ path: '/swap.img', type: 'file', sizeKiB: 4194300, usedKiB: 0, priority: -2 }]))
      .toBe('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swap.img                               file\t\t4194300\t\t0\t\t-2\n');
  });

  it('a reboot turns fstab swap on; the kubelet exits at every start until swap is off, then the next restart succeeds', () => {
    const s = createCluster(demoClusterSpec, 5);
    expect(applyAction(s, { swap: { node: 'worker-2', path: '/swap.img', size: '4Gi' } })).toEqual({ ok: true });
    // A running kubelet does not look at swap: only its next start does.
    tick(s, 5_000);
    expect(ready(s, 'worker-2').status).toBe('True');
    expect(applyAction(s, { reboot: { node: 'worker-2' } })).toEqual({ ok: true });
    tick(s, 60_000);
    const kubelet = s.nodes['worker-2']!.host.units.kubelet!;
    expect(kubelet.active).toBe(false);
    expect(kubelet.failed?.restarts).toBe(6);
    expect(ready(s, 'worker-2')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    const sh = onNode(s, 'worker-2');
    expect(sh('systemctl status kubelet')).toMatch(/Active: activating \(auto-restart\) \(Result: exit-code\) since .*; \d+s ago\n/);
    expect(sh('systemctl is-active kubelet')).toBe('activating\n');
    const journal = sh('journalctl -u kubelet -n 12');
    expect(journal).toContain('kubelet.service: Scheduled restart job, restart counter is at 6.');
    expect(journal).toContain('run.go:74] "command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap! or set --fail-swap-on flag to false. /proc/swaps contained: [Filename\\t\\t\\t\\tType\\t\\tSize\\t\\tUsed\\t\\tPriority /swap.img                               file\\t\\t4194300\\t\\t0\\t\\t-2]"');
    expect(sh('swapon --show')).toBe('NAME      TYPE SIZE USED PRIO\n/swap.img file   4G   0B   -2\n');
    expect(sh('swapoff -a')).toBe('swapoff: /swap.img: swapoff failed: Operation not permitted\n');
    expect(sh('sudo swapoff -a')).toBe('');
    expect(sh('cat /proc/swaps')).toBe('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
    tick(s, 15_000);
    expect(kubelet.active).toBe(true);
    expect(ready(s, 'worker-2').status).toBe('True');
    // The fstab line is still there: the next reboot brings the swap, and the failure, back.
    applyAction(s, { reboot: { node: 'worker-2' } });
    expect(s.nodes['worker-2']!.host.units.kubelet!.active).toBe(false);
    expect(s.nodes['worker-2']!.host.swaps).toHaveLength(1);
  });
});

describe('containerd that cannot start', () => {
  /** worker-1's containerd restarted on a config.toml that defines a table twice (the two lines the test's sed takes back). */
  const brokenContainerd = () => {
    const s = createCluster(demoClusterSpec, 6);
    applyAction(s, { hostFile: { node: 'worker-1', path: '/etc/containerd/config.toml', append: '[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "overlayfs"\n' } });
    applyAction(s, { unit: { node: 'worker-1', name: 'containerd', active: false } });
    applyAction(s, { unit: { node: 'worker-1', name: 'containerd', active: true } });
    return s;
  };

  it('finds the first table defined twice, at go-toml\'s position', () => {
    expect(duplicateTomlTable('[a]\nx = 1\n[a.b]\n  [a]\n')).toEqual({ line: 4, col: 4 });
    expect(duplicateTomlTable('[a]\n[b]\n[[c]]\n')).toBeUndefined();
  });

  it('the kubelet reports the runtime down (Ready=False), pods are evicted after 300 s and hang Terminating; fixing the file lets systemd bring it back', () => {
    const s = brokenContainerd();
    tick(s, 20_000);
    expect(ready(s, 'worker-1')).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' });
    expect(taints(s, 'worker-1')).toEqual(['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    const sh = onNode(s, 'worker-1');
    expect(sh('journalctl -u containerd -n 3')).toMatch(/containerd\[\d+\]: containerd: failed to load TOML: \/etc\/containerd\/config.toml: \(\d+, 2\): duplicated tables\n.*containerd.service: Main process exited, code=exited, status=1\/FAILURE\n.*containerd.service: Failed with result 'exit-code'.\n$/);
    // Restarting the kubelet makes it fail its CRI check too: the node stops posting at all.
    sh('sudo systemctl restart kubelet');
    expect(sh('journalctl -u kubelet -n 3')).toContain('"command failed" err="failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sock\\": rpc error: code = Unavailable');
    tick(s, 360_000);
    const onWorker1 = Object.values(s.pods).filter((p) => p.spec.nodeName === 'worker-1' && !p.metadata.ownerReferences.some((o) => o.kind === 'DaemonSet'));
    expect(onWorker1.length).toBeGreaterThan(0);
    expect(onWorker1.every((p) => p.metadata.deletionTimestamp !== undefined)).toBe(true);
    sh("sudo sed -i '$d' /etc/containerd/config.toml");
    sh("sudo sed -i '$d' /etc/containerd/config.toml");
    tick(s, 30_000);
    expect(s.nodes['worker-1']!.host.units.containerd!.active).toBe(true);
    expect(s.nodes['worker-1']!.host.units.kubelet!.active).toBe(true);
    expect(ready(s, 'worker-1').status).toBe('True');
    expect(taints(s, 'worker-1')).toEqual([]);
    expect(Object.values(s.pods).some((p) => p.spec.nodeName === 'worker-1' && p.metadata.deletionTimestamp !== undefined)).toBe(false);
  });

  it('an hour in, PLEG\'s last activity is a Go duration with hours (1h1m…s, not 61m…s)', () => {
    const s = brokenContainerd();
    tick(s, 3_700_000);
    expect(ready(s, 'worker-1').message).toMatch(/^\[container runtime is down, PLEG is not healthy: pleg was last seen active 1h1m[\d.]+s ago; threshold is 3m0s\]$/);
  });
});

describe('disk pressure', () => {
  it('below 10 % free the kubelet reports DiskPressure, evicts pods one by one (their owners replace them), and clears the pressure 5 min after room comes back', () => {
    const s = createCluster(demoClusterSpec, 8);
    // Critical pods (CoreDNS: system-cluster-critical) are never the eviction manager's pick.
    const appPods = () => Object.values(s.pods).filter((p) => p.spec.nodeName === 'worker-1' && p.metadata.ownerReferences[0]?.kind === 'ReplicaSet' && p.spec.priorityClassName === undefined);
    const before = appPods().length;
    expect(before).toBeGreaterThan(0);
    writeDataFile(s, 'worker-1', '/var/tmp/dump.bin', 200 * GiB);
    tick(s, 5_000);
    const node = s.nodes['worker-1']!;
    expect(node.status.conditions.find((c) => c.type === 'DiskPressure')).toMatchObject({ status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' });
    expect(taints(s, 'worker-1')).toEqual(['node.kubernetes.io/disk-pressure:NoSchedule']);
    expect(ready(s, 'worker-1').status).toBe('True');
    tick(s, 10_000 * before);
    const evicted = appPods().filter((p) => p.status.reason === 'Evicted');
    expect(evicted).toHaveLength(before);
    expect(evicted[0]!.status).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/^The node was low on resource: ephemeral-storage\. Threshold quantity: \d+, available: 0Ki\. $/) });
    expect(s.events.some((e) => e.reason === 'Evicted' && e.type === 'Warning' && e.source.component === 'kubelet')).toBe(true);
    expect(s.events.some((e) => e.reason === 'EvictionThresholdMet' && e.message === 'Attempting to reclaim ephemeral-storage')).toBe(true);
    // Evicted pods stay (Failed) but no longer count: each ReplicaSet made a replacement elsewhere.
    const rsPods = Object.values(s.pods).filter((p) => p.metadata.ownerReferences[0]?.kind === 'ReplicaSet' && p.spec.priorityClassName === undefined && p.status.phase !== 'Failed');
    expect(rsPods.every((p) => p.spec.nodeName !== 'worker-1')).toBe(true);
    const sh = onNode(s, 'worker-1');
    expect(sh('journalctl -u kubelet -n 40')).toContain('"Eviction manager: must evict pod(s) to reclaim" resourceName="ephemeral-storage"');
    expect(sh('sudo rm /var/tmp/dump.bin')).toBe('');
    tick(s, 4 * 60_000);
    expect(node.status.conditions.find((c) => c.type === 'DiskPressure')!.status).toBe('True');
    tick(s, 70_000);
    expect(node.status.conditions.find((c) => c.type === 'DiskPressure')).toMatchObject({ status: 'False', reason: 'KubeletHasNoDiskPressure' });
    expect(taints(s, 'worker-1')).toEqual([]);
  });
});
