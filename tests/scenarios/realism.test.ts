// What a player finds from the symptoms alone, and how it changes with simulated time:
// the node-side trail of the etcd outage (syslog / kubelet journal / etcd and apiserver
// logs keep recording the real errors), a crashed kube-apiserver seen by crictl, the
// kubelet's resolvConf behind the CoreDNS loop, a dead scheduler behind a stopped kubelet,
// and harmful acts on the etcd data dir being penalised.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { advance, startScenario } from '../../server/scenarios/session.js';
import { pinInstance, type LoadedScenario } from '../../server/scenarios/variant.js';
import { scoreSession } from '../../server/scoring/score.js';
import { newSession, runLine } from '../../server/shell/index.js';

const { scenarios } = loadScenarioDir();
const byId = (id: string): LoadedScenario => scenarios.find((s) => s.id === id)!;

/** A fresh game of a scenario variant (under chosen dressing) with one shell session, driven line by line. */
function game(id: string, variant: string, dressing: Record<string, number> = {}) {
  const { scenario, seed } = pinInstance(byId(id), variant, dressing);
  const state = startScenario(scenario, seed);
  const session = newSession(state);
  return {
    scenario, state,
    run: (line: string) => runLine(state, session, line),
    wait: (sec: number) => advance(state, scenario, sec * 1000),
  };
}

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('etcd-nospace: the node keeps the trail', () => {
  it('syslog and the kubelet journal record "database space exceeded" again and again while NOSPACE lasts', () => {
    const g = game('etcd-nospace', 'history');
    g.run('ssh cp-1');
    g.run('sudo -i');
    expect(g.run('grep -c "database space exceeded" /var/log/syslog').output).toBe('0\n');
    g.wait(60);
    const early = Number(g.run('grep -c "database space exceeded" /var/log/syslog').output);
    g.wait(60);
    const later = Number(g.run('grep -c "database space exceeded" /var/log/syslog').output);
    expect(early).toBeGreaterThanOrEqual(3);
    expect(later).toBeGreaterThan(early);
    const journal = g.run('journalctl -u kubelet --no-pager | tail -1').output;
    expect(journal).toMatch(/^Jun 03 09:\d\d:\d0 cp-1 kubelet\[\d+\]: E0603 09:\d\d:\d0\.\d{6} +\d+ controller\.go:195\] "Failed to update lease" err="etcdserver: mvcc: database space exceeded"\n$/);
  });

  it('etcd logs the NOSPACE alarm and keeps warning about rejected writes', () => {
    const g = game('etcd-nospace', 'history');
    g.wait(100);
    const etcd = g.run('kubectl logs -n kube-system etcd-cp-1').output;
    expect(etcd).toMatch(/^\{"level":"warn","ts":"2024-06-03T09:00:\d\d\.\d{6}Z","caller":"etcdserver\/server\.go:\d+","msg":"alarm raised","alarm":"NOSPACE","from":"[0-9a-f]{16}"\}$/m);
    expect(count(etcd, /"msg":"apply request took too long".*"error":"etcdserver: mvcc: database space exceeded"/)).toBeGreaterThanOrEqual(3);
    const apiserver = g.run('kubectl logs -n kube-system kube-apiserver-cp-1 --tail=2').output;
    expect(apiserver).toMatch(/^E0603 09:01:\d\d\.\d{6} +1 \S+\.go:\d+\] .*etcdserver: mvcc: database space exceeded/m);
  });

  it('once the apiserver dies, crictl ps -a shows it Exited and crictl ps does not list it; the node logs connection refused', () => {
    const g = game('etcd-nospace', 'history', { nodes: 1 });
    g.run('ssh master-01');
    g.run('sudo -i');
    expect(g.run('crictl ps').output).toMatch(/\sRunning\s+kube-apiserver\s/);
    g.wait(200);
    expect(g.run('kubectl get nodes').exitCode).toBe(1);
    const all = g.run('crictl ps -a').output;
    expect(all).toMatch(/^[0-9a-f]{13}\s+[0-9a-f]{13}\s+\d+ seconds ago\s+Exited\s+kube-apiserver\s+\d+\s+[0-9a-f]{13}\s+kube-apiserver-master-01$/m);
    expect(g.run('crictl ps').output).not.toContain('kube-apiserver');
    expect(g.run('crictl logs $(crictl ps -a --name kube-apiserver -q | head -1)').output).toContain('etcdserver: mvcc: database space exceeded');
    expect(g.run('tail -1 /var/log/syslog').output).toMatch(/kubelet\[\d+\]: E0603 .*dial tcp 10\.0\.2\.10:6443: connect: connection refused"\n$/);
  });

  it('deleting the etcd data dir on the control-plane node destroys the cluster and is penalised', () => {
    const { scenario, seed } = pinInstance(byId('etcd-nospace'), 'history', { nodes: 2 });
    const { state, commands } = playSteps(scenario, seed, ['ssh ip-10-20-1-15', 'sudo rm -rf /var/lib/etcd', 'exit', 'kubectl get nodes']);
    expect(state.etcd.dataLost).toBe(true);
    expect(commands.at(-1)!.output).toMatch(/^The connection to the server 10\.20\.1\.15:6443 was refused/);
    const score = scoreSession(scenario, {
      diagnosis: { rootCause: 'etcd-quota-nospace', text: 'etcd full, wiped it', evidence: [] }, commands, hintsUsed: [], elapsedMs: state.now, cluster: state,
    });
    const harmful = score.lines.find((l) => l.id === 'etcd:data')!;
    expect(harmful).toMatchObject({ category: 'harmful', points: -60 });
    expect(harmful.why).toMatch(/data directory is gone/);
    // A small database is no compaction: the outcome check wants the data still there.
    expect(score.lines.find((l) => l.id === 'compact-defrag')!.points).toBe(0);
    expect(score.percent).toBeLessThanOrEqual(10);
  });
});

describe('coredns-down (loop): broken by the kubelet config, from the start', () => {
  it('the nodes\' kubelet config names the stub resolver and CoreDNS crash-loops on the loop', () => {
    const g = game('coredns-down', 'loop');
    g.run('ssh worker-a');
    expect(g.run('grep resolvConf /var/lib/kubelet/config.yaml').output).toBe('resolvConf: /etc/resolv.conf\n');
    expect(g.run('grep nameserver /etc/resolv.conf').output).toBe('nameserver 127.0.0.53\n');
    g.run('exit');
    g.wait(60);
    expect(g.run('kubectl get pods -n kube-system -l k8s-app=kube-dns').output).toMatch(/coredns-\S+\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)/);
    expect(g.run('kubectl logs -n kube-system deploy/coredns --previous').output).toMatch(/^\[FATAL\] plugin\/loop: Loop \(127\.0\.0\.1:\d+ -> :53\) detected for zone "\."/m);
    expect(g.state.firedFaults?.map((f) => f.id)).toEqual(['coredns-rescheduled']);
  });

  it('the other variants keep kubeadm\'s resolvConf, so deleting CoreDNS pods is no cure there either', () => {
    const g = game('coredns-down', 'upstream', { nodes: 1 });
    g.run('ssh ip-10-0-1-21');
    expect(g.run('grep resolvConf /var/lib/kubelet/config.yaml').output).toBe('resolvConf: /run/systemd/resolve/resolv.conf\n');
  });
});

describe('pending-pods (scheduler): a stopped kubelet and a dead scheduler', () => {
  it('cp-1 is NotReady from the start, its static pods unready, and crictl shows the scheduler OOM-killed', () => {
    const g = game('pending-pods', 'scheduler', { names: 3 });
    expect(g.run('kubectl get nodes').output).toMatch(/^cp-1\s+NotReady\s+control-plane\s/m);
    g.wait(20);
    expect(g.run('kubectl describe pods -n api -l app=gateway').output).toMatch(/Status:\s+Pending[\s\S]*Events:\s+<none>/);
    g.run('ssh cp-1');
    g.run('sudo -i');
    expect(g.run('systemctl is-active kubelet').output).toBe('inactive\n');
    expect(g.run('crictl ps -a --name kube-scheduler').output).toMatch(/\sExited\s+kube-scheduler\s+0\s/);
    expect(g.run('grep -i "out of memory" /var/log/syslog').output).toContain('Killed process 2291 (kube-scheduler)');
    // The upgrade runbook masked the kubelet: starting it is refused until it is unmasked.
    expect(g.run('systemctl start kubelet').output).toBe('Failed to start kubelet.service: Unit kubelet.service is masked.\n');
    g.run('systemctl unmask kubelet');
    g.run('systemctl start kubelet');
    g.wait(60);
    expect(g.run('crictl ps --name kube-scheduler').output).toMatch(/\sRunning\s+kube-scheduler\s+1\s/);
    expect(g.run('kubectl get deploy -n api gateway').output).toMatch(/^gateway\s+8\/8\s+8\s+8\s/m);
  });
});

describe('snat-client-ip: the access log tells the story before and after the fix', () => {
  it('node IPs in the log and SNAT in conntrack under Cluster; client IPs in new lines once the policy is Local', () => {
    const g = game('snat-client-ip', 'policy-cluster', { names: 2, nodes: 2, ports: 2, proxy: 2 });
    g.wait(60);
    const before = g.run('kubectl logs -n ads deploy/tracker --tail=20').output.split('\n').filter((l) => / - - \[/.test(l));
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((l) => /^10\.0\.4\.\d+ - - \[03\/Jun\/2024:09:0\d:\d\d \+0000\] "GET \//.test(l))).toBe(true);
    g.run('ssh node-x1');
    expect(g.run('sudo conntrack -L -p tcp --dport 32080').output).toMatch(/src=(203\.0\.113|198\.51\.100|192\.0\.2)\.\d+ dst=10\.0\.4\.21 sport=\d+ dport=32080 src=10\.244\.\d+\.\d+ dst=10\.0\.4\.21 /);
    g.run('exit');
    expect(g.run('kubectl patch svc tracker -n ads -p \'{"spec":{"externalTrafficPolicy":"Local"}}\'').output).toBe('service/tracker patched\n');
    g.wait(120);
    const after = g.run('kubectl logs -n ads deploy/tracker --tail=5').output.split('\n').filter((l) => / - - \[/.test(l));
    expect(after.length).toBe(5);
    expect(after.every((l) => /^(203\.0\.113\.10|198\.51\.100\.23|192\.0\.2\.77) - - /.test(l))).toBe(true);
  });
});
