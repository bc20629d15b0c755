// tcpdump on a node: a summarised capture of the simulated flows (the DNS queries sent from
// the node, TCP handshakes kube-proxy's NAT tracked there) in tcpdump 4.99's line format
// (print-domain.c: `ID+ A? NAME. (LEN)`, `ID NXDomain*- 0/1/0 (LEN)`; print-sll.c for -i any),
// root only, until Ctrl-C (a stream) or -c packets.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { continueStream, interruptStream, newSession, runLine } from '../../server/shell/index.js';

function world() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const other = newSession(state);
  const sh = (line: string) => runLine(state, session, line, { interactive: true, advance: (ms) => tick(state, ms) });
  const elsewhere = (line: string) => runLine(state, other, line);
  sh('ssh worker-1');
  const web = Object.values(state.pods).find((p) => p.metadata.name.startsWith('web-') && p.spec.nodeName === 'worker-1')!;
  return { state, session, sh, elsewhere, web };
}

describe('tcpdump on a node', () => {
  it('needs root, like a real capture', () => {
    const { sh } = world();
    expect(sh('tcpdump -i any -nn port 53')).toMatchObject({ output: "tcpdump: any: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n", exitCode: 1 });
  });

  it('shows the search-list walk of a lookup from a pod on the node, then ^C', () => {
    const { state, session, sh, elsewhere, web } = world();
    sh('sudo -i');
    const started = sh('tcpdump -i any -nn port 53');
    expect(started).toMatchObject({ streaming: true, output: 'tcpdump: data link type LINUX_SLL2\ntcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n' });
    tick(state, 1000);
    elsewhere(`kubectl exec ${web.metadata.name} -- curl -s http://nope`);
    tick(state, 1000);
    const lines = continueStream(state, session).output.trim().split('\n');
    const ip = web.status.podIP!.replaceAll('.', '\\.');
    // ndots:5: the search domains first, each NXDOMAIN from CoreDNS (authoritative for the cluster zone).
    expect(lines[0]).toMatch(new RegExp(`^09:00:\\d\\d\\.\\d{6} eth0  Out IP ${ip}\\.\\d+ > 10\\.96\\.0\\.10\\.53: \\d+\\+ A\\? nope\\.default\\.svc\\.cluster\\.local\\. \\(48\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^09:00:\\d\\d\\.\\d{6} eth0  In  IP 10\\.96\\.0\\.10\\.53 > ${ip}\\.\\d+: \\d+ NXDomain\\*- 0/1/0 \\(\\d+\\)$`));
    const stamps = lines.map((l) => l.slice(0, 15));
    expect([...stamps].sort()).toEqual(stamps);
    expect(interruptStream(session)).toBe('^C\n');
  });

  it('stops at -c packets with its counts; filters it cannot parse are refused', () => {
    const { state, session, sh, elsewhere, web } = world();
    sh('sudo -i');
    expect(sh('tcpdump -nn -c 2 udp port 53').streaming).toBe(true);
    tick(state, 1000);
    elsewhere(`kubectl exec ${web.metadata.name} -- curl -s http://api`);
    tick(state, 1000);
    const step = continueStream(state, session);
    expect(step.ended).toBe(true);
    expect(step.output).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{6} IP [\d.]+\.\d+ > 10\.96\.0\.10\.53: \d+\+ A\? api\.default\.svc\.cluster\.local\. \(47\)\n[^\n]+\n\n2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n$/);
    expect(sh('tcpdump portrange 1-2').output).toBe("tcpdump: can't parse filter expression: syntax error\n");
  });
});
