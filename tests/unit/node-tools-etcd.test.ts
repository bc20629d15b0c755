// The seed-000 outage end to end through the real shell: etcd fills to its quota, NOSPACE
// makes kubectl writes fail, and compact + defrag + disarm on the control-plane node fix it.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { humanizeBytes, tableWriter } from '../../server/shell/node/etcdctl-print.js';

const TLS = 'export ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt ETCDCTL_CERT=/etc/kubernetes/pki/etcd/server.crt ETCDCTL_KEY=/etc/kubernetes/pki/etcd/server.key';

function fullCluster(): ClusterState {
  const state = createCluster(demoClusterSpec, 1);
  state.etcd.dbSize = state.etcd.quotaBackendBytes - 1000;
  state.etcd.dbSizeInUse = state.etcd.dbSize;
  tick(state, 3000);
  return state;
}

function shell(state: ClusterState) {
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

describe('etcdctl formats', () => {
  it('sizes like go-humanize and draws tablewriter tables', () => {
    expect(humanizeBytes(2_147_483_648)).toBe('2.1 GB');
    expect(humanizeBytes(39_845_888)).toBe('40 MB');
    expect(humanizeBytes(20_480)).toBe('20 kB');
    expect(humanizeBytes(5)).toBe('5 B');
    expect(tableWriter(['ID', 'NAME'], [['8e9e05c52164694d', 'a']])).toBe(
      '+------------------+------+\n|        ID        | NAME |\n+------------------+------+\n| 8e9e05c52164694d |    a |\n+------------------+------+\n',
    );
  });
});

describe('etcd NOSPACE outage', () => {
  it('refuses kubectl writes, shows the alarm, and recovers after compact + defrag + disarm', () => {
    const state = fullCluster();
    const sh = shell(state);
    expect(sh('kubectl scale deploy web --replicas=5')).toMatchObject({ output: 'Error from server: etcdserver: mvcc: database space exceeded\n', exitCode: 1 });
    expect(sh('kubectl get deploy web').exitCode).toBe(0); // reads still work

    sh('ssh cp-1');
    // Without client certificates a kubeadm etcd never answers.
    const noCerts = sh('etcdctl endpoint health');
    expect(noCerts.output).toContain('"msg":"retrying of unary invoker failed"');
    expect(noCerts.output).toContain('error reading server preface: EOF');
    expect(noCerts.output).toContain('Error: unhealthy cluster');
    // The keys are root's.
    expect(sh(`ETCDCTL_API=3 etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key alarm list`).output)
      .toBe('Error: open /etc/kubernetes/pki/etcd/server.key: permission denied\n');

    sh('sudo -i');
    sh(TLS);
    const table = sh('etcdctl endpoint status -w table').output.split('\n');
    expect(table[1]).toBe('|    ENDPOINT    |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |                   ERRORS                    |');
    expect(table[3]).toMatch(/^\| 127\.0\.0\.1:2379 \| 31aacf2e023f7ee5 \|  3\.5\.12 \|  2\.1 GB \|      true \|      false \|/);
    expect(table[3]).toContain('| memberID:3578900650412441317 alarm:NOSPACE  |');
    expect(sh('etcdctl alarm list').output).toBe('memberID:3578900650412441317 alarm:NOSPACE \n');
    expect(sh('etcdctl endpoint health').output).toBe('127.0.0.1:2379 is unhealthy: failed to commit proposal: Active Alarm(s): NOSPACE \nError: unhealthy cluster\n');
    const put = sh('etcdctl put /foo bar');
    expect(put.output).toContain('"error":"rpc error: code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded"');
    expect(put.output).toMatch(/Error: etcdserver: mvcc: database space exceeded\n$/);

    // Restarting the kubelet does not give etcd its space back.
    sh('systemctl restart kubelet');
    expect(sh('etcdctl alarm list').output).toContain('alarm:NOSPACE');

    // Disarming first does not help: the alarm comes straight back while over quota.
    sh('etcdctl alarm disarm');
    expect(sh('etcdctl alarm list').output).toContain('alarm:NOSPACE');

    sh("rev=$(etcdctl endpoint status --write-out=json | egrep -o '\"revision\":[0-9]*' | egrep -o '[0-9].*')");
    const rev = sh('echo $rev').output.trim();
    expect(rev).toBe(String(state.etcd.revision));
    expect(sh('etcdctl compact $rev').output).toBe(`compacted revision ${rev}\n`);
    expect(sh('etcdctl compact $rev').output).toContain('Error: etcdserver: mvcc: required revision has been compacted\n');
    expect(sh('etcdctl defrag').output).toBe('Finished defragmenting etcd member[127.0.0.1:2379]\n');
    expect(sh('etcdctl alarm disarm')).toMatchObject({ output: 'memberID:3578900650412441317 alarm:NOSPACE \n', exitCode: 0 });
    expect(sh('etcdctl alarm list').output).toBe('');
    expect(sh('etcdctl endpoint health').output).toMatch(/^127\.0\.0\.1:2379 is healthy: successfully committed proposal: took = [\d.]+ms\n$/);
    sh('exit');
    sh('exit');
    expect(sh('kubectl scale deploy web --replicas=5')).toMatchObject({ output: 'deployment.apps/web scaled\n', exitCode: 0 });
  });

  it('shows the data dir growth on disk and refuses etcdctl on a worker', () => {
    const state = fullCluster();
    const sh = shell(state);
    sh('ssh cp-1');
    sh('sudo -i');
    expect(sh('du -sh /var/lib/etcd').output).toBe('2.2G\t/var/lib/etcd\n');
    expect(sh('ls -lh /var/lib/etcd/member/snap').output).toMatch(/^total 2\.1G\n-rw------- 1 root root 2\.1G Jun  3 09:00 db\n$/);
    sh('exit');
    sh('exit');
    sh('ssh worker-1');
    expect(sh('sudo etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt endpoint status').output).toBe('Error: open /etc/kubernetes/pki/etcd/ca.crt: no such file or directory\n');
    expect(sh('etcdctl --endpoints=10.0.1.10:2379 member list').output).toContain('Error: context deadline exceeded\n');
  });

  it('prints the other etcdctl subcommands like etcdctl 3.5', () => {
    const state = createCluster(demoClusterSpec, 1);
    const sh = shell(state);
    sh('ssh cp-1');
    sh('sudo -i');
    sh(TLS);
    expect(sh('etcdctl member list').output).toBe('31aacf2e023f7ee5, started, cp-1, https://10.0.1.10:2380, https://10.0.1.10:2379, false\n');
    expect(sh('etcdctl endpoint status --cluster').output).toMatch(/^https:\/\/10\.0\.1\.10:2379, 31aacf2e023f7ee5, 3\.5\.12, 40 MB, true, false, 4, \d+, \d+, \n$/);
    expect(sh('etcdctl get /registry/deployments --prefix --keys-only').output).toBe('/registry/deployments/default/api\n\n/registry/deployments/default/web\n\n/registry/deployments/kube-system/coredns\n\n/registry/deployments/kube-system/metrics-server\n\n');
    expect(sh('etcdctl version').output).toBe('etcdctl version: 3.5.12\nAPI version: 3.5\n');
    expect(sh('etcdctl foo')).toMatchObject({ output: 'Error: unknown command "foo" for "etcdctl"\nRun \'etcdctl --help\' for usage.\n', exitCode: 1 });
    expect(sh('ETCDCTL_API=2 etcdctl member list').exitCode).toBe(1);
  });

  it('rm -rf of the data dir as root destroys etcd and with it the apiserver', () => {
    const state = createCluster(demoClusterSpec, 1);
    const sh = shell(state);
    sh('ssh cp-1');
    expect(sh('rm -rf /var/lib/etcd').output).toBe("rm: cannot remove '/var/lib/etcd': Permission denied\n");
    expect(state.etcd.dataLost).toBe(false);
    expect(sh('sudo rm -rf /var/lib/etcd').exitCode).toBe(0);
    expect(state.etcd.dataLost).toBe(true);
    expect(sh('sudo rm /etc/hostname').output).toBe("rm: cannot remove '/etc/hostname': Operation not permitted\n");
  });
});
