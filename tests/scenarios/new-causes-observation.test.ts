// The observations that tell the new causes apart, in idiomatic forms, and near misses that
// must not count: the nodes' addresses (snat), the database in use and the disk (etcd),
// the kube-dns endpoints (coredns).
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { observedBy } from '../../server/scoring/score.js';

const { scenarios } = loadScenarioDir();

function observes(scenarioId: string, variant: string, id: string, line: string, setup: string[] = []): boolean {
  const { scenario, seed } = pinInstance(scenarios.find((s) => s.id === scenarioId)!, variant);
  const item = scenario.answer.evidence.find((e) => e.id === id);
  if (!item) throw new Error(`${scenarioId}/${variant} has no evidence ${id}`);
  const { commands } = playSteps(scenario, seed, [{ wait: 60 }, ...setup, line]);
  return observedBy(item, commands.slice(setup.length)) !== undefined;
}

const ETCD = ['ssh cp-1', 'sudo -i', 'export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=https://127.0.0.1:2379 ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt ETCDCTL_CERT=/etc/kubernetes/pki/etcd/server.crt ETCDCTL_KEY=/etc/kubernetes/pki/etcd/server.key'];

describe('what tells the new causes apart is observed however it is looked at', () => {
  it('snat: the nodes\' addresses (wide listing, describe, yaml), not a plain listing', () => {
    for (const line of ['kubectl get nodes -o wide', 'kubectl describe nodes | grep InternalIP', 'kubectl get nodes -o yaml | grep address']) expect(observes('snat-client-ip', 'policy-cluster', 'log-is-nodes', line), line).toBe(true);
    for (const line of ['kubectl get nodes', 'kubectl get nodes -o wide | grep -v 10.0.4']) expect(observes('snat-client-ip', 'policy-cluster', 'log-is-nodes', line), line).toBe(false);
  });

  it('snat: the load balancer the annotations make', () => {
    expect(observes('snat-client-ip', 'nlb-ip', 'nlb-ip-annotations', 'kubectl get svc -n edge gateway -o yaml')).toBe(true);
    expect(observes('snat-client-ip', 'nlb-ip', 'nlb-ip-annotations', 'kubectl describe svc -n edge gateway')).toBe(true);
    expect(observes('snat-client-ip', 'nlb-ip', 'nlb-ip-annotations', 'kubectl get svc -n edge gateway')).toBe(false);
    expect(observes('snat-client-ip', 'classic-elb', 'classic-annotations', 'kubectl get svc -n edge')).toBe(true); // the ELB's DNS name says Classic
  });

  it('etcd: dbSizeInUse needs -w json; the table shows DB SIZE only', () => {
    expect(observes('etcd-nospace', 'fragmentation', 'db-mostly-free', 'etcdctl endpoint status -w json', ETCD)).toBe(true);
    expect(observes('etcd-nospace', 'fragmentation', 'db-mostly-free', 'etcdctl endpoint status --write-out=json', ETCD)).toBe(true);
    expect(observes('etcd-nospace', 'fragmentation', 'db-mostly-free', 'etcdctl endpoint status -w table', ETCD)).toBe(false);
  });

  it('etcd: the full root filesystem and what fills it', () => {
    for (const line of ['df -h', 'df -h /', 'df /var/lib/etcd']) expect(observes('etcd-nospace', 'host-disk', 'disk-full', line, ['ssh cp-1']), line).toBe(true);
    for (const line of ['df -h /boot/efi', 'df -h | grep tmpfs']) expect(observes('etcd-nospace', 'host-disk', 'disk-full', line, ['ssh cp-1']), line).toBe(false);
    expect(observes('etcd-nospace', 'host-disk', 'disk-full', 'df -h', ['ssh worker-1'])).toBe(false);
    for (const line of ['du -sh /var/backups/etcd', 'du -sh /var/backups', 'ls -l /var/backups/etcd']) expect(observes('etcd-nospace', 'host-disk', 'backups-pile-up', line, ['ssh cp-1', 'sudo -i']), line).toBe(true);
    expect(observes('etcd-nospace', 'host-disk', 'wal-no-space', 'kubectl logs -n kube-system etcd-cp-1 --tail=5')).toBe(true);
  });

  it('coredns: the kube-dns Service without endpoints', () => {
    for (const line of ['kubectl get endpoints kube-dns -n kube-system', 'kubectl get ep -n kube-system', 'kubectl get svc kube-dns -n kube-system -o yaml']) expect(observes('coredns-down', 'selector', 'dns-no-endpoints', line), line).toBe(true);
    expect(observes('coredns-down', 'selector', 'dns-no-endpoints', 'kubectl get svc -n kube-system')).toBe(false);
  });
});
