// Network tools inside a pod's network namespace (server/shell/exec/net-tools.ts), per image:
// nicolaka/netshoot (Alpine: iproute2 ss, tcpdump 4.99, netcat-openbsd on musl, busybox
// netstat), busybox (netstat only). Their answers come from the simulated network: the pod's
// listeners, the conntrack entries of its connections, kube-proxy's REJECT for a Service
// without endpoints, a NetworkPolicy drop. Layouts: iproute2 ss.c (compact, piped), busybox
// networking/netstat.c (`%s   %6lu %6lu %-23s %-23s %-12s`), OpenBSD netcat.c's
// "Connection to %s %s port [%s/%s] succeeded!" and warn("connect to %s port %s (%s) failed"),
// musl's strerror(EINPROGRESS) "Operation in progress", tcpdump print-tcp.c.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  return { state, run };
}

const DENY_API = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-api
spec:
  podSelector:
    matchLabels: { app: api }
  policyTypes: [Ingress]
`;

describe('netshoot in a pod of its own', () => {
  it('ss and netstat show the connection the pod made, to the Service address, in TIME-WAIT', () => {
    const { state, run } = shell();
    run('kubectl run tmp -it --rm --image=nicolaka/netshoot -- bash');
    const ip = state.pods['default/tmp']!.status.podIP!;
    const vip = state.services['default/api']!.spec.clusterIP;
    expect(run('curl -s -o /dev/null -w "%{http_code}\\n" api').output).toBe('200\n');
    const all = run('ss -tan').output.split('\n');
    expect(all[0]).toMatch(/^State +Recv-Q Send-Q +Local Address:Port +Peer Address:PortProcess$/);
    expect(all[1]).toMatch(new RegExp(`^TIME-WAIT 0      0 +${ip.replaceAll('.', '\\.')}:\\d+ +${vip.replaceAll('.', '\\.')}:80 +$`));
    // Without -a, ss shows only connected sockets (SS_CONN leaves TIME-WAIT out); nothing listens here.
    expect(run('ss -tn').output).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(run('ss -tln').output).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(run('ss -s').output).toContain('TCP:   1 (estab 0, closed 0, orphaned 0, timewait 1)\n');
    const port = /:(\d+) /.exec(all[1]!)![1]!;
    expect(run('netstat -tn').output).toBe([
      'Active Internet connections (w/o servers)',
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State       ',
      `tcp        0      0 ${`${ip}:${port}`.padEnd(23)} ${`${vip}:80`.padEnd(23)} TIME_WAIT   `,
      '',
    ].join('\n'));
    // Names: its own address from /etc/hosts, the Service's from its PTR, ports from /etc/services.
    expect(run('netstat -t').output).toContain(` tmp:${port} `);
    expect(run('netstat -t').output).toContain(' api.default.svc.cluster.local:http ');
    // No -t/-u: busybox adds the UNIX domain section.
    expect(run('netstat -an').output).toContain('Active UNIX domain sockets (servers and established)\nProto RefCnt Flags       Type       State         I-Node Path\n');
  });

  it('nc -zv: open, a Service without endpoints refused by kube-proxy, a policy drop timing out', () => {
    const { run } = shell();
    run('kubectl run tmp -it --rm --image=nicolaka/netshoot -- bash');
    expect(run('nc -zv api 80')).toEqual({ output: 'Connection to api 80 port [tcp/http] succeeded!\n', exitCode: 0 });
    expect(run('nc -zv kube-dns.kube-system 53').output).toBe('Connection to kube-dns.kube-system 53 port [tcp/domain] succeeded!\n');
    expect(run('nc -zv nosuch 80')).toEqual({ output: 'nc: getaddrinfo for host "nosuch" port 80: Name does not resolve\n', exitCode: 1 });
    // A port the Service does not have: no rule takes the packet, nothing answers the VIP.
    expect(run('time nc -zv -w 2 api 81').output).toMatch(/^nc: connect to api port 81 \(tcp\) timed out: Operation in progress\n\nreal\t0m2\.000s\n/);
    run('exit');
    expect(run(`kubectl apply -f - <<'EOF'\n${DENY_API}EOF`).exitCode).toBe(0);
    run('kubectl run tmp2 -it --rm --image=nicolaka/netshoot -- bash');
    expect(run('nc -zv -w 3 api 80; echo $?').output).toBe('nc: connect to api port 80 (tcp) timed out: Operation in progress\n1\n');
    // Without -w the kernel's SYN retries give up (ETIMEDOUT) after a little over two minutes.
    expect(run('time nc -z api 80').output).toMatch(/^\nreal\t2m10\.994s\n/);
    run('exit');
    run('kubectl delete netpol deny-api');
    run('kubectl scale deploy api --replicas=0');
    run('sleep 30');
    run('kubectl run tmp3 -it --rm --image=nicolaka/netshoot -- bash');
    expect(run('nc -zv api 80')).toEqual({ output: 'nc: connect to api port 80 (tcp) failed: Connection refused\n', exitCode: 1 });
  });

  it('a port check sends no request: the server logs nothing', () => {
    const { state, run } = shell();
    run('kubectl run tmp -it --rm --image=nicolaka/netshoot -- bash');
    const logs = () => Object.values(state.pods).filter((p) => p.metadata.labels.app === 'web').reduce((n, p) => n + p.status.containerStatuses[0]!.logs.length, 0);
    const before = logs();
    expect(run('nc -z web 80').exitCode).toBe(0);
    expect(logs()).toBe(before);
  });

  it('ip route, neigh and route get inside the pod\'s namespace; host through the pod\'s resolver', () => {
    const { state, run } = shell();
    run('kubectl run tmp -it --rm --image=nicolaka/netshoot -- bash');
    const ip = state.pods['default/tmp']!.status.podIP!;
    // The demo's CNI is the AWS VPC CNI: a /32 behind the link-local gateway.
    expect(run('ip route').output).toBe('default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n');
    expect(run('ip neigh').output).toMatch(/^169\.254\.1\.1 dev eth0 lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} STALE\n$/);
    expect(run('ip route get 10.96.0.10').output).toBe(`10.96.0.10 via 169.254.1.1 dev eth0 src ${ip} uid 0 \n    cache \n`);
    expect(run('host api').output).toBe(`api.default.svc.cluster.local has address ${state.services['default/api']!.spec.clusterIP}\n`);
  });
});

describe('traceroute (busybox) from a netshoot pod', () => {
  it('a pod on another node: the two nodes route; a Service address never answers; a policy drop goes silent', () => {
    const { state, run } = shell();
    run('kubectl run tmp -it --rm --image=nicolaka/netshoot -- bash');
    const me = state.pods['default/tmp']!;
    const api = Object.values(state.pods).find((p) => p.metadata.labels.app === 'api' && p.spec.nodeName !== me.spec.nodeName)!;
    const ipOf = (node: string) => state.nodes[node]!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    const [mine, theirs, dest] = [ipOf(me.spec.nodeName!), ipOf(api.spec.nodeName!), api.status.podIP!];
    const hop = /^ ?\d+  (\S+)  \d+\.\d{3} ms  \d+\.\d{3} ms  \d+\.\d{3} ms$/;
    const lines = run(`traceroute -n ${dest}`).output.trimEnd().split('\n');
    expect(lines[0]).toBe(`traceroute to ${dest} (${dest}), 30 hops max, 46 byte packets`);
    expect(lines.slice(1).map((l) => hop.exec(l)?.[1])).toEqual([mine, theirs, dest]);
    // kube-proxy DNATs the Service's own ports only: UDP probes to the VIP go nowhere, 3 × 3 s a hop.
    const vip = run('time traceroute -m 3 api');
    expect(vip.output).toMatch(new RegExp(`^traceroute to api \\(${state.services['default/api']!.spec.clusterIP.replaceAll('.', '\\.')}\\), 3 hops max, 46 byte packets\n 1  ${mine.replaceAll('.', '\\.')} \\(`));
    expect(vip.output).toContain('\n 2  *  *  *\n 3  *  *  *\n\nreal\t0m18.000s\n');
    expect(run('traceroute nosuch')).toEqual({ output: "traceroute: bad address 'nosuch'\n", exitCode: 1 });
    run('exit');
    run(`kubectl apply -f - <<'EOF'\n${DENY_API}EOF`);
    run('kubectl run tmp2 -it --rm --image=nicolaka/netshoot -- bash');
    const denied = run(`traceroute -n -m 4 -w 1 ${dest}`).output.trimEnd().split('\n');
    expect(denied.slice(-2)).toEqual([' 3  *  *  *', ' 4  *  *  *']);
  });
});

describe('netshoot as a debug container', () => {
  it('targeting nginx: its listeners with the process (shared PID namespace), the connections it serves in tcpdump', () => {
    const { state, run } = shell();
    const web = Object.values(state.pods).find((p) => p.metadata.labels.app === 'web')!;
    run(`kubectl debug ${web.metadata.name} -it --image=nicolaka/netshoot --target=nginx`);
    // nginx's image listens on `listen 80; listen [::]:80;`.
    expect(run('ss -tlnp').output).toBe([
      // ss.c pads every column to its widest cell, the last (Process) included.
      `State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess${' '.repeat(22)}`,
      'LISTEN 0      4096         0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=1,fd=3))',
      'LISTEN 0      4096               *:80              *:*    users:(("nginx",pid=1,fd=4))',
      '',
    ].join('\n'));
    expect(run('netstat -tlnp').output).toBe([
      'Active Internet connections (only servers)',
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
      'tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      1/nginx',
      'tcp        0      0 :::80                   :::*                    LISTEN      1/nginx',
      '',
    ].join('\n'));
    // The load balancer's health checks and clients reach it: a handshake per connection, bounded by -c.
    const cap = run('tcpdump -nn -c 3 port 80');
    const lines = cap.output.split('\n');
    const addr = web.status.podIP!.replaceAll('.', '\\.');
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP [\\d.]+\\.\\d+ > ${addr}\\.80: Flags \\[S\\], seq \\d+, win 64240, options \\[mss 1460,sackOK,TS val \\d+ ecr 0,nop,wscale 7\\], length 0$`));
    expect(lines[1]).toMatch(new RegExp(`^\\S+ IP ${addr}\\.80 > [\\d.]+\\.\\d+: Flags \\[S\\.\\], seq \\d+, ack \\d+, win 65160, `));
    expect(lines[2]).toMatch(/Flags \[\.\], ack 1, win 502, /);
    expect(cap.output).toContain('3 packets captured\n');
    expect(run('nc -zv localhost 80').output).toBe('Connection to localhost 80 port [tcp/http] succeeded!\n');
    expect(run('nc -zv localhost 81').output).toBe('nc: connect to localhost port 81 (tcp) failed: Connection refused\n');
  });

  it('without --target the other container\'s process is in another PID namespace: no users:()', () => {
    const { state, run } = shell();
    const web = Object.values(state.pods).find((p) => p.metadata.labels.app === 'web')!;
    run(`kubectl debug ${web.metadata.name} -it --image=nicolaka/netshoot`);
    expect(run('ss -tlnp').output).not.toContain('users:');
    expect(run('netstat -tlnp').output).toContain('LISTEN      -\n');
  });

  it('on a node (hostNetwork): the node\'s sockets', () => {
    const { run } = shell();
    run('kubectl debug node/worker-1 -it --image=nicolaka/netshoot');
    expect(run('ss -tln').output).toContain('127.0.0.1:10248');
    expect(run('ss -tln').output).toMatch(/\n\S+ +0 +4096 +\*:10250 /);
  });
});

describe('per image', () => {
  it('busybox has netstat but not ss or tcpdump; the app image has none of them', () => {
    const { state, run } = shell();
    run('kubectl run bb -it --rm --image=busybox -- sh');
    expect(run('netstat -rn').output).toBe('Kernel IP routing table\nDestination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n0.0.0.0         169.254.1.1     0.0.0.0         UG        0 0          0 eth0\n169.254.1.1     0.0.0.0         255.255.255.255 UH        0 0          0 eth0\n');
    expect(run('ss -tln')).toEqual({ output: 'sh: ss: not found\n', exitCode: 127 });
    expect(run('netstat -z').output).toMatch(/^netstat: invalid option -- 'z'\nBusyBox v1\.36\.1/);
    run('exit');
    const api = Object.values(state.pods).find((p) => p.metadata.labels.app === 'api')!;
    expect(run(`kubectl exec ${api.metadata.name} -- ss -tln`).output).toContain('exec: "ss": executable file not found in $PATH');
  });

  it('a netshoot pod kept up with `sleep infinity`; kubectl exec runs the tools one-shot', () => {
    const { state, run } = shell();
    run('kubectl run ns --image=nicolaka/netshoot -- sleep infinity');
    run('sleep 60');
    expect(run('kubectl get pod ns --no-headers').output).toMatch(/^ns +1\/1 +Running +0 /);
    expect(run('kubectl exec ns -- curl -s -o /dev/null -w "%{http_code}" api').output).toBe('200');
    const vip = state.services['default/api']!.spec.clusterIP;
    expect(run('kubectl exec ns -- ss -tan').output).toContain(` ${vip}:80 `);
    expect(run('kubectl exec ns -- nc -zv api 80').output).toBe('Connection to api 80 port [tcp/http] succeeded!\n');
    expect(run('time kubectl exec ns -- sleep 3').output).toMatch(/^\nreal\t0m3\.000s\n/);
    // A command that ends still ends: the container exits and is restarted.
    run('kubectl run s1 --image=busybox -- sleep 1');
    run('sleep 30');
    expect(run('kubectl get pod s1 --no-headers').output).not.toMatch(/ Running /);
  });
});
