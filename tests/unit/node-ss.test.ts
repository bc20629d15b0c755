// `ss` on a node: the sockets lsof -i lists, in iproute2's layout. Formats from iproute2 misc/ss.c
// (5.15, Ubuntu 22.04): the columns table (State/Recv-Q/Send-Q " " ldelim, "Local Address:" and
// "Peer Address:" ALIGN_RIGHT, Port and Process with an empty ldelim, hence the header's
// `Peer Address:PortProcess`), render() in compact mode (not a tty: width = widest cell + ldelim),
// out("%-6d") for the queues, proc_ctx_print's out(" users:(%s)"), and print_summary() for -s.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { sshTo as onNode } from '../helpers/node-shell.js';


describe('ss', () => {
  it('lists listening TCP sockets with their processes (ss -tlnp)', () => {
    const { sh } = onNode('cp-1');
    const lines = sh('ss -tlnp').output.split('\n');
    expect(lines[0]).toMatch(/^State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess +$/);
    expect(lines[1]).toMatch(/^LISTEN 0      128          0\.0\.0\.0:22         0\.0\.0\.0:\*    users:\(\("sshd",pid=788,fd=3\)\) *$/);
    // A dual-stack wildcard socket prints as `*`, right-aligned against its port.
    const api = lines.find((l) => l.includes('"kube-apiserver"'))!;
    expect(api).toMatch(/^LISTEN 0      4096 {15}\*:6443 {13}\*:\*    users:\(\("kube-apiserver",pid=\d+,fd=7\)\) *$/);
    const etcd = lines.find((l) => l.includes(':2379 ') && l.includes('127.0.0.1'))!;
    expect(etcd).toMatch(/^LISTEN 0      4096       127\.0\.0\.1:2379 {7}0\.0\.0\.0:\*    users:\(\("etcd",pid=\d+,fd=8\)\)/);
    // comm is cut at 15 characters, like /proc/PID/comm.
    expect(lines.some((l) => l.includes('users:(("kube-controller",pid='))).toBe(true);
    // Every column lines up: the Port header starts where each local port does.
    const portCol = lines[0]!.indexOf('Port');
    expect(lines.slice(1, -1).every((l) => l[portCol - 1] === ':')).toBe(true);
  });

  it('shows no process column contents without -p, or without root, and resolves ssh without -n', () => {
    const { sh } = onNode('worker-1', false);
    const lines = sh('ss -tln').output.split('\n');
    expect(lines.some((l) => l.includes('users:'))).toBe(false);
    expect(sh('ss -tlnp').output).not.toContain('users:');
    expect(sh('ss -tl').output).toMatch(/0\.0\.0\.0:ssh /);
    expect(sh('ss -tln').output).not.toContain('2379');
  });

  it('lists established connections by default, with a Netid column for several tables', () => {
    const { sh } = onNode('cp-1');
    const est = sh('ss -tn').output.split('\n');
    expect(est[0]).toMatch(/^State Recv-Q Send-Q Local Address:Port +Peer Address:Port +Process/);
    expect(est.slice(1, -1).every((l) => l.startsWith('ESTAB 0      0 '))).toBe(true);
    expect(est.some((l) => / 127\.0\.0\.1:2379 *$/.test(l))).toBe(true);
    expect(sh('ss -tuln').output.split('\n')[1]).toMatch(/^tcp   LISTEN 0      128 /);
    expect(sh('ss -tln sport = :6443').output.split('\n')).toHaveLength(3);
    expect(sh('ss -tlnH').output.split('\n')[0]).toMatch(/^LISTEN /);
  });

  it('follows the model: a stopped kubelet no longer listens', () => {
    const { sh } = onNode('worker-1');
    expect(sh('ss -tlnp').output).toContain(':10250');
    sh('systemctl stop kubelet');
    expect(sh('ss -tlnp').output).not.toContain(':10250');
  });

  it('prints the summary of print_summary()', () => {
    const { sh } = onNode('cp-1');
    const out = sh('ss -s').output.split('\n');
    expect(out[0]).toMatch(/^Total: \d+$/);
    expect(out[1]).toMatch(/^TCP:   \d+ \(estab \d+, closed 0, orphaned 0, timewait 0\)$/);
    expect(out[2]).toBe('');
    expect(out[3]).toBe('Transport Total     IP        IPv6');
    expect(out[4]).toBe('RAW\t  0         0         0        ');
    expect(out[6]).toMatch(/^TCP\t  \d+ +\d+ +\d+ +$/);
  });

  // ss.c scan_state() names and groups; main() disables the State column when one state is
  // left (`!(states & (states - 1))`); an unknown name is "wrong state name", exit(-1).
  it('filters by state, dropping the State column for a single one', () => {
    const { sh } = onNode('worker-1');
    const est = sh('ss -tn state established').output.split('\n');
    expect(est[0]).toMatch(/^Recv-Q Send-Q Local Address:Port +Peer Address:PortProcess *$/);
    expect(est.slice(1).filter((l) => l !== '').every((l) => /^0 {6}0 /.test(l))).toBe(true);
    expect(est.length).toBeGreaterThan(2);
    expect(sh('ss -tn state listening').output).toContain('0.0.0.0:22');
    expect(sh('ss -tn state listening').output.split('\n')[0]).not.toContain('State');
    const connected = sh('ss -tan exclude listening').output.split('\n');
    expect(connected[0]).toMatch(/^State /);
    expect(connected.some((l) => l.startsWith('LISTEN'))).toBe(false);
    expect(sh('ss -tn state bogus')).toMatchObject({ exitCode: 255, output: 'ss: wrong state name: bogus\n' });
  });
  it('rejects bad options and filters like ss', () => {
    const { sh } = onNode('cp-1');
    expect(sh('ss -z')).toMatchObject({ exitCode: 255 });
    expect(sh('ss -z').output).toMatch(/^ss: invalid option -- 'z'\nUsage: ss \[ OPTIONS \]\n/);
    expect(sh('ss -tln foo')).toMatchObject({ output: 'Error: an inet prefix is expected rather than "foo".\n', exitCode: 1 });
    const workstation = createCluster(demoClusterSpec, 1);
    expect(runLine(workstation, newSession(workstation), 'ss -tln').exitCode).toBe(127);
  });
});
