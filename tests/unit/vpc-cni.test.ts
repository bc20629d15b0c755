// The AWS VPC CNI's address model (cluster/network/vpc-cni.ts): ENI × address limits per
// instance type, prefix delegation, the subnet shared with the other nodes' warm pools, and
// addresses ipamd's checkpoint leaked after a node OOM. Log lines follow amazon-vpc-cni-k8s
// (ipamd/ipamd.go increaseSecondaryENIs / logPoolStats, datastore/data_store.go
// AssignPodIPv4Address: "DataStore has no available IP/Prefix addresses").
import { describe, expect, it } from 'vitest';
import { createCluster, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';

function spec(o: { type?: string; maxPods?: number; used?: number; leaked?: number; replicas?: number; env?: Record<string, string> }): ClusterSpecInput {
  return {
    network: { cni: { name: 'aws-node', env: o.env ?? {} }, subnets: [{ id: 'subnet-0abc', cidr: '10.0.1.0/24', used: o.used ?? 0 }] },
    nodes: [
      { name: 'cp-1', role: 'control-plane', ip: '10.0.1.10' },
      { name: 'busy', ip: '10.0.1.20', instanceType: 'm5.large', maxPods: 29, subnet: 'subnet-0abc', labels: { pool: 'busy' } },
      { name: 'target', ip: '10.0.1.30', instanceType: o.type ?? 'm5.large', maxPods: o.maxPods ?? 29, subnet: 'subnet-0abc', leakedPodIPs: o.leaked ?? 0, labels: { pool: 'target' } },
    ],
    addons: { coredns: { enabled: false }, metricsServer: false }, // no add-on pod takes an address from the count
    deployments: [
      { namespace: 'shop', name: 'web', replicas: o.replicas ?? 20, nodeSelector: { pool: 'target' }, containers: [{ image: 'nginx:1.25', requests: { cpu: '10m' } }] },
      { namespace: 'shop', name: 'worker', replicas: 4, nodeSelector: { pool: 'busy' }, containers: [{ image: 'busybox:1.36', requests: { cpu: '10m' } }] },
    ],
  };
}

const webPods = (s: ClusterState): Pod[] => Object.values(s.pods).filter((p) => p.metadata.name.startsWith('web-') && !p.metadata.deletionTimestamp);
const withIP = (s: ClusterState): number => webPods(s).filter((p) => p.status.podIP).length;

function sh(s: ClusterState) {
  const session = newSession(s);
  return (line: string) => runLine(s, session, line);
}

describe('AWS VPC CNI addresses', () => {
  it('a t3.medium holds 15 pod addresses whatever max-pods says; ipamd logs the ENI limit; prefix delegation lifts it', () => {
    const s = createCluster(spec({ type: 't3.medium', maxPods: 110 }), 3);
    tick(s, 20_000);
    expect(withIP(s)).toBe(15);
    const stuck = webPods(s).find((p) => !p.status.podIP)!;
    expect(s.events.some((e) => e.involvedObject.uid === stuck.metadata.uid && e.message.endsWith('add cmd: failed to assign an IP address to container'))).toBe(true);
    expect(s.nodes.target!.metadata.labels['node.kubernetes.io/instance-type']).toBe('t3.medium');
    const run = sh(s);
    run('ssh target');
    const log = run('sudo cat /var/log/aws-routed-eni/ipamd.log').output;
    expect(log).toContain('"msg":"Skipping ENI allocation as the max ENI limit is already reached"');
    expect(log).toContain('"msg":"IP pool stats for network card 0: Total IPs/Prefixes = 15/0, AssignedIPs/CooldownIPs: 15/0, c.maxIPsPerENI = 5"');
    expect(log).toContain('"level":"error"');
    expect(log).toContain('"msg":"DataStore has no available IP/Prefix addresses"');
    // Not readable without root, like the real 0600 file.
    expect(run('cat /var/log/aws-routed-eni/ipamd.log').output).toContain('Permission denied');
    run('exit');
    expect(run('kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=true').output).toBe('daemonset.apps/aws-node env updated\n');
    // The DaemonSet rolls its pods one node at a time; the new ipamd on the node hands out prefixes.
    const before = new Set(Object.values(s.pods).filter((p) => p.metadata.name.startsWith('aws-node-')).map((p) => p.metadata.uid));
    tick(s, 60_000);
    expect(withIP(s)).toBe(20);
    const after = Object.values(s.pods).filter((p) => p.metadata.name.startsWith('aws-node-'));
    expect(after).toHaveLength(3);
    expect(after.every((p) => !before.has(p.metadata.uid) && p.spec.containers[0]!.env.some((e) => e.name === 'ENABLE_PREFIX_DELEGATION' && e.value === 'true'))).toBe(true);
  });

  it('a full subnet: the other node\'s warm ENI holds the addresses; WARM_IP_TARGET gives them back', () => {
    // 251 usable; busy holds 4 pods + a warm ENI = 18; used 228 → 5 left for target.
    const s = createCluster(spec({ used: 228 }), 5);
    tick(s, 20_000);
    expect(withIP(s)).toBe(5);
    const run = sh(s);
    run('ssh target');
    expect(run('sudo grep -c InsufficientFreeAddressesInSubnet /var/log/aws-routed-eni/ipamd.log').output.trim()).not.toBe('0');
    run('exit');
    // Restarting aws-node changes nothing: same settings, same subnet.
    run('kubectl delete pods -n kube-system -l k8s-app=aws-node');
    tick(s, 30_000);
    expect(withIP(s)).toBe(5);
    run('kubectl set env ds/aws-node -n kube-system WARM_IP_TARGET=2 MINIMUM_IP_TARGET=4');
    tick(s, 60_000);
    // busy now holds 4 + 2: 12 more for target (17 in all).
    expect(withIP(s)).toBe(17);
  });

  it('addresses leaked after a node OOM stay held until a new ipamd reconciles its checkpoint', () => {
    const s = createCluster(spec({ leaked: 19 }), 7);
    tick(s, 20_000);
    expect(withIP(s)).toBe(27 - 19);
    const run = sh(s);
    run('ssh target');
    const checkpoint = JSON.parse(run('sudo cat /var/run/aws-node/ipam.json').output) as { version: string; allocations: { ipv4: string; metadata: { k8sPodName: string } }[] };
    expect(checkpoint.version).toBe('vpc-cni-ipam/1');
    expect(checkpoint.allocations).toHaveLength(27);
    expect(run('grep "Out of memory" /var/log/syslog').output).toContain('Killed process 1187 (containerd)');
    // A kubelet restart does not touch ipamd's state.
    run('sudo systemctl restart kubelet');
    run('exit');
    tick(s, 30_000);
    expect(withIP(s)).toBe(8);
    run('kubectl delete pod -n kube-system -l k8s-app=aws-node --field-selector spec.nodeName=target');
    tick(s, 40_000);
    expect(withIP(s)).toBe(20);
    run('ssh target');
    expect(run('sudo grep -c releasing /var/log/aws-routed-eni/ipamd.log').output.trim()).toBe('19');
  });

  it('kubectl set env: --list, KEY- removes, unknown container', () => {
    const s = createCluster(spec({ replicas: 1, env: { WARM_IP_TARGET: '5' } }), 2);
    const run = sh(s);
    const list = run('kubectl set env daemonset/aws-node -n kube-system --list').output;
    expect(list.split('\n')[0]).toBe('# DaemonSet aws-node, container aws-node');
    expect(list).toContain('\nWARM_IP_TARGET=5\n');
    expect(run('kubectl set env daemonset/aws-node -n kube-system WARM_IP_TARGET-').output).toBe('daemonset.apps/aws-node env updated\n');
    expect(run('kubectl set env daemonset/aws-node -n kube-system --list').output).not.toContain('WARM_IP_TARGET');
    expect(run('kubectl set env daemonset/aws-node -n kube-system -c nope A=1').output).toBe('error: unable to find container named nope\n');
    expect(run('kubectl set env daemonset/aws-node -n kube-system').output).toBe('error: at least one environment variable must be provided\n');
  });
});
