// dig and nslookup on a node (Ubuntu's bind9 tools, dig 9.18): the host resolves with its own
// resolv.conf (systemd-resolved's upstream, the VPC resolver), so cluster names answer only when
// CoreDNS is asked by its Service address, as on a real node.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function onNode() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line);
  sh('ssh worker-1');
  return sh;
}

describe('dig and nslookup on a node', () => {
  it('cluster names need @CoreDNS; the host resolver does not know them', () => {
    const sh = onNode();
    expect(sh('dig +short kubernetes.default.svc.cluster.local')).toMatchObject({ output: '', exitCode: 0 });
    expect(sh('dig +short @10.96.0.10 kubernetes.default.svc.cluster.local').output).toBe('10.96.0.1\n');
    expect(sh('dig @10.96.0.10 kubernetes.default.svc.cluster.local').output).toContain(';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n');
    expect(sh('nslookup kubernetes.default.svc.cluster.local 10.96.0.10').output).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n');
  });

  it('on the workstation, through its own resolver: the nodes and the outside world, not the cluster', () => {
    const state = createCluster(demoClusterSpec, 1);
    const sh = (line: string) => runLine(state, newSession(state), line);
    expect(sh('dig +short worker-1')).toMatchObject({ output: '10.0.1.21\n', exitCode: 0 });
    expect(sh('dig +short example.com').output).toBe('93.184.215.14\n');
    expect(sh('dig nosuch.example').output).toContain('status: NXDOMAIN');
    expect(sh('dig +short kubernetes.default.svc.cluster.local')).toMatchObject({ output: '', exitCode: 0 });
  });
});
