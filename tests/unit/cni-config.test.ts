// The node's CNI state (cluster/network/cni-config.ts): containerd uses the first config of
// /etc/cni/net.d in lexical order (containerd's CRI plugin, `cni.NetworkConfList` loading),
// runs plugins from /opt/cni/bin (libcni: `failed to find plugin "x" in path [...]`), and
// flannel's bridge refuses a cni0 carrying another gateway (flannel issue #1060 message).
import { describe, expect, it } from 'vitest';
import { createCluster, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import type { ClusterState, Pod } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';

const CONTAINERD_NET = '{"cniVersion":"1.0.0","name":"containerd-net","plugins":[{"type":"bridge","bridge":"cni0","isGateway":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.88.0.0/16"}]]}}]}';

function spec(cniHost: NonNullable<ClusterSpecInput['nodes']>[number]['cniHost']): ClusterSpecInput {
  return {
    network: { cni: { name: 'flannel' }, traffic: [{ ip: '203.0.113.9', service: 'shop/web', via: 'cluster', requestsPerMinute: 60 }] },
    nodes: [
      { name: 'cp-1', role: 'control-plane', ip: '10.0.0.10' },
      { name: 'good', ip: '10.0.0.20', labels: { pool: 'good' } },
      { name: 'bad', ip: '10.0.0.30', labels: { pool: 'bad' }, ...(cniHost ? { cniHost } : {}) },
    ],
    deployments: [
      { namespace: 'shop', name: 'web', replicas: 2, nodeSelector: { pool: 'bad' }, containers: [{ image: 'nginx:1.25.3', ports: [80] }] },
      { namespace: 'shop', name: 'client', replicas: 1, nodeSelector: { pool: 'good' }, containers: [{ image: 'curlimages/curl:8.5.0', behavior: {} }] },
    ],
    services: [{ namespace: 'shop', name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }],
  };
}

const web = (s: ClusterState): Pod[] => Object.values(s.pods).filter((p) => p.metadata.name.startsWith('web-') && !p.metadata.deletionTimestamp);
const sh = (s: ClusterState) => {
  const session = newSession(s);
  return (line: string) => runLine(s, session, line);
};

describe('CNI state on the node', () => {
  it('a leftover config that sorts first: pods get its range, nothing reaches them; removing it and recreating the pods fixes it', () => {
    const s = createCluster(spec({ configs: { '10-containerd-net.conflist': CONTAINERD_NET } }), 1);
    tick(s, 30_000);
    expect(web(s).map((p) => p.status.podIP!.startsWith('10.88.'))).toEqual([true, true]);
    expect(web(s).every((p) => p.status.phase === 'Running')).toBe(true);
    const run = sh(s);
    const client = Object.values(s.pods).find((p) => p.metadata.name.startsWith('client-'))!;
    expect(run(`kubectl exec -n shop ${client.metadata.name} -- curl -s -m 2 http://${s.services['shop/web']!.spec.clusterIP}`).output).toBe('command terminated with exit code 28\n');
    run('ssh bad');
    expect(run('ls /etc/cni/net.d').output).toBe('10-containerd-net.conflist  10-flannel.conflist\n');
    expect(run('rm /etc/cni/net.d/10-containerd-net.conflist').output).toContain('Permission denied');
    expect(run('sudo rm /etc/cni/net.d/10-containerd-net.conflist').exitCode).toBe(0);
    run('exit');
    // Existing sandboxes keep their addresses until the pods are recreated.
    tick(s, 10_000);
    expect(web(s).every((p) => p.status.podIP!.startsWith('10.88.'))).toBe(true);
    run('kubectl delete pods -n shop -l app=web');
    tick(s, 60_000);
    expect(web(s).every((p) => p.status.podIP!.startsWith(s.nodes.bad!.spec.podCIDR.slice(0, 8)))).toBe(true);
    // By address: a CoreDNS replica on that node would still sit at a 10.88 address until it is recreated too.
    expect(run(`kubectl exec -n shop ${client.metadata.name} -- curl -s http://${s.services['shop/web']!.spec.clusterIP}`).output).toContain('Welcome to nginx!');
  });

  it('a missing plugin binary fails every sandbox until the CNI pod on the node reinstalls it', () => {
    const s = createCluster(spec({ missingPlugins: ['flannel'] }), 2);
    tick(s, 20_000);
    expect(web(s).every((p) => !p.status.podIP)).toBe(true);
    const ev = s.events.find((e) => e.reason === 'FailedCreatePodSandBox')!;
    expect(ev.message).toMatch(/^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": failed to find plugin "flannel" in path \[\/opt\/cni\/bin\]$/);
    const run = sh(s);
    run('ssh bad');
    expect(run('ls /opt/cni/bin').output).not.toMatch(/\bflannel\b/);
    expect(run('journalctl -u containerd --no-pager | tail -n 1').output).toContain('level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:web-');
    run('sudo systemctl restart kubelet');
    run('exit');
    tick(s, 20_000);
    expect(web(s).every((p) => !p.status.podIP)).toBe(true);
    run('kubectl delete pod -n kube-system -l k8s-app=kube-flannel-ds --field-selector spec.nodeName=bad');
    tick(s, 40_000);
    expect(web(s).every((p) => p.status.podIP && p.status.phase === 'Running')).toBe(true);
  });

  it('cni0 left with another gateway: flannel refuses sandboxes until the bridge is deleted', () => {
    const s = createCluster(spec({ cni0: '10.244.9.1/24' }), 3);
    tick(s, 20_000);
    const want = `${s.nodes.bad!.spec.podCIDR.replace(/0\/24$/, '1')}/24`;
    expect(s.events.find((e) => e.reason === 'FailedCreatePodSandBox')!.message).toContain(`plugin type="flannel" name="cbr0" failed (add): failed to delegate add: failed to set bridge addr: "cni0" already has an IP address different from ${want}`);
    const run = sh(s);
    run('ssh bad');
    expect(run('ip addr').output).toContain('inet 10.244.9.1/24 brd 10.244.9.255 scope global cni0');
    expect(run('ip link delete cni0').output).toBe('RTNETLINK answers: Operation not permitted\n');
    expect(run('sudo ip link delete cni0').exitCode).toBe(0);
    expect(run('sudo ip link delete cni0').output).toBe('Cannot find device "cni0"\n');
    run('exit');
    tick(s, 20_000);
    expect(web(s).every((p) => p.status.podIP)).toBe(true);
    expect(s.nodes.bad!.host.links).toEqual({ cni0: want });
  });

  it('a config that is not JSON (or hostile) fails sandboxes with the parse error, nothing crashes', () => {
    for (const text of ['{not json', 'null', '{"plugins":[null,1,{"type":"bridge","ipam":{"subnet":"10.0.0.0/1"}}]}']) {
      const s = createCluster(spec({ configs: { '00-broken.conf': text } }), 4);
      tick(s, 20_000);
      expect(web(s).every((p) => !p.status.podIP)).toBe(true);
      expect(s.events.some((e) => e.reason === 'FailedCreatePodSandBox')).toBe(true);
    }
  });
});
