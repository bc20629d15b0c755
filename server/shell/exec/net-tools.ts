// Network tools inside a pod's network namespace, as nicolaka/netshoot (Alpine: iproute2's ss,
// tcpdump, netcat-openbsd on musl, busybox's netstat and traceroute) and busybox images ship them. They see
// what the simulated network holds for the pod: its containers' listening sockets, the
// connections it made (kube-proxy's conntrack entries, before the DNAT: to the Service's
// address), the DNS queries it sent, and connection attempts go through the same packet path
// as curl (Services without endpoints refuse, NetworkPolicy drops time out, DNS through the
// pod's resolv.conf). Layouts are the node tools' (node/ss.ts, node/network/tcpdump.ts,
// node/network/curl.ts ncWith), from the tools' sources.
import { stableInt } from '../node/common.js';
import { connectOutcome, nc as nodeNc, ncWith } from '../node/network/curl.js';
import { capture, NODE_INTERFACES, nodeVantage, type Vantage } from '../node/network/tcpdump.js';
import { ssReport } from '../node/ss.js';
import { sockets, type Socket } from '../node/procs.js';
import { anyContainerStatus } from '../../cluster/ephemeral.js';
import { nodeIP } from '../../cluster/controllers/kubelet.js';
import { podRoutable } from '../../cluster/network/cni-config.js';
import { resolveName } from '../../cluster/network/dns.js';
import { httpRequest } from '../../cluster/network/http.js';
import { connectionAllowed } from '../../cluster/network/netpol.js';
import { nodeByIP, podAnswers, podByIP, serviceByClusterIP } from '../../cluster/network/services.js';
import type { ClusterState, Node, Pod } from '../../cluster/types.js';
import type { CommandContext, CommandResult, ShellSession } from '../types.js';
import { fail, ok } from '../types.js';

/** A tool that needs the command's context (time passing, streams) besides the pod it runs in. */
export type PodTool = (ctx: CommandContext, pod: Pod, container: string, argv: string[]) => CommandResult;

/** The program a container runs, as its process name (comm): the role's binary or the image's name. */
function programOf(pod: Pod, container: string): string {
  const spec = pod.spec.containers.find((c) => c.name === container);
  if (pod.behavior[container]?.role === 'coredns') return 'coredns';
  const first = spec?.command?.[0];
  const base = (first ?? spec?.image.split('/').at(-1)!.split(/[:@]/)[0] ?? container).split('/').at(-1)!;
  return base.slice(0, 15);
}

/**
 * The sockets of the pod's network namespace: each running container's listeners (CoreDNS's
 * 53 and health ports, nginx's `listen 80; listen [::]:80;`, else the HTTP port and declared
 * containerPorts on Go's `*` wildcard), then the connections the pod opened that conntrack
 * still holds (TIME-WAIT: the client closed first). A container's process is PID 1 of its own
 * PID namespace: tools in another container cannot see it (`unseen`), unless they run in a
 * debug container targeting it (`kubectl debug --target`, which shares its PID namespace).
 */
export function podSockets(state: ClusterState, pod: Pod, here: string): Socket[] {
  const out: Socket[] = [];
  const target = pod.spec.ephemeralContainers?.find((e) => e.name === here)?.targetContainerName;
  for (const c of pod.spec.containers) {
    if (anyContainerStatus(pod, c.name)?.state.kind !== 'running') continue;
    const comm = programOf(pod, c.name);
    const unseen = c.name !== here && c.name !== target;
    let fd = 3;
    const listen = (proto: 'TCP' | 'UDP', host: string, port: number, ipv6: boolean): void => {
      out.push({ comm, pid: 1, fd: fd++, ipv6, proto, local: [host, port], ...(unseen ? { unseen } : {}) });
    };
    const b = pod.behavior[c.name];
    if (b?.role === 'coredns') {
      for (const port of [53, 8080, 8181, 9153]) listen('TCP', '*', port, true);
      listen('UDP', '*', 53, true);
      continue;
    }
    const ports = new Set<number>(c.ports.filter((p) => p.protocol === 'TCP').map((p) => p.containerPort));
    if (b?.httpPort !== undefined) ports.add(b.httpPort);
    if (/nginx/.test(c.image) && ports.size === 0) ports.add(80);
    for (const port of [...ports].sort((x, y) => x - y)) {
      if (/nginx/.test(c.image)) {
        listen('TCP', '0.0.0.0', port, false);
        listen('TCP', '*', port, true);
      } else listen('TCP', '*', port, true);
    }
  }
  const ip = pod.status.podIP;
  for (const c of state.network.conntrack) {
    if (c.src !== ip || c.protocol !== 'tcp' || c.expiresAt <= state.now) continue;
    out.push({ comm: '', pid: 0, fd: 0, ipv6: false, proto: 'TCP', local: [c.src, c.sport], remote: [c.dst, c.dport], timeWait: true });
  }
  return out;
}

/**
 * A hostNetwork pod (`kubectl debug node/X` makes one, with hostPID) shares the node's
 * namespaces: its tools see and act as the node's.
 */
function hostNode(ctx: CommandContext, pod: Pod): Node | undefined {
  return pod.spec.hostNetwork && pod.spec.nodeName ? ctx.state.nodes[pod.spec.nodeName] : undefined;
}

function namespaceSockets(ctx: CommandContext, pod: Pod, container: string): Socket[] {
  const node = hostNode(ctx, pod);
  return node ? sockets({ ctx, state: ctx.state, node, name: node.metadata.name, root: true }) : podSockets(ctx.state, pod, container);
}

/** ss in the pod: its sockets; no unix sockets to speak of in a container. */
const ss: PodTool = (ctx, pod, container, argv) => {
  const node = hostNode(ctx, pod);
  return ssReport(argv, namespaceSockets(ctx, pod, container), { root: true, unixSockets: node ? stableInt(`${node.metadata.name}/unix-sockets`, 180, 420) : 0 });
};

/** /etc/services names busybox netstat prints without -n. */
const SERVICES: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 8080: 'http-alt' };

const BUSYBOX_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: netstat [-ral] [-tuwx] [-enWp]\n\nDisplay networking information\n';

/**
 * busybox netstat (networking/netstat.c, 1.36): `%s   %6lu %6lu %-23s %-23s %-12s` per socket
 * (proto `tcp` for tcp6 too), then with -p `%.20s` of PID/program or `-`; without -t/-u/-x the
 * UNIX section follows. Names: the pod's /etc/hosts (its own address → its name), a Service's
 * address → its DNS name (CoreDNS answers the PTR), /etc/services for ports.
 */
const netstat: PodTool = (ctx, pod, container, argv) => {
  let flags = '';
  for (const a of argv.slice(1)) {
    if (!/^-[a-zA-Z]+$/.test(a)) return fail(`netstat: invalid option -- '${a.replace(/^-+/, '').slice(0, 1)}'\n${BUSYBOX_USAGE}`);
    flags += a.slice(1);
  }
  const bad = [...flags].find((f) => !'laentuwxrWp'.includes(f));
  if (bad) return fail(`netstat: invalid option -- '${bad}'\n${BUSYBOX_USAGE}`);
  const has = (f: string): boolean => flags.includes(f);
  if (has('r')) return ok(routeTable(has('n')));
  const listening = has('l') || has('a');
  const connected = !has('l') || has('a');
  const chosen = has('t') || has('u') || has('w') || has('x');
  const [tcp, udp, unix] = chosen ? [has('t'), has('u'), has('x')] : [true, true, true];
  const width = has('W') ? 51 : 23;
  const state = ctx.state;
  const host = (h: string, ipv6: boolean): string => {
    if (h === '*') return ipv6 ? '::' : '0.0.0.0';
    if (has('n')) return h;
    if (h === '127.0.0.1') return 'localhost';
    if (h === pod.status.podIP) return pod.metadata.name;
    const svc = serviceByClusterIP(state, h);
    return svc ? `${svc.metadata.name}.${svc.metadata.namespace}.svc.${state.network.clusterDomain}` : h;
  };
  const port = (p: number): string => (has('n') ? String(p) : SERVICES[p] ?? String(p));
  const title = listening && connected ? '(servers and established)' : listening ? '(only servers)' : '(w/o servers)';
  const banner = has('p') ? 'PID/Program name    ' : '';
  let out = '';
  if (tcp || udp || has('w')) out += `Active Internet connections ${title}\nProto Recv-Q Send-Q ${'Local Address'.padEnd(width)} ${'Foreign Address'.padEnd(width)} State       ${banner}\n`;
  // /proc/net/tcp, tcp6, udp, udp6.
  const order = (s: Socket): number => (s.proto === 'UDP' ? 2 : 0) + (s.ipv6 ? 1 : 0);
  const list = namespaceSockets(ctx, pod, container)
    .filter((s) => (s.proto === 'TCP' ? tcp : udp) && (s.remote === undefined ? listening : connected))
    .map((s, i) => ({ s, i })).sort((a, b) => order(a.s) - order(b.s) || a.i - b.i).map(({ s }) => s);
  for (const s of list) {
    const local = `${host(s.local[0], s.ipv6)}:${port(s.local[1])}`;
    const remote = s.remote ? `${host(s.remote[0], s.ipv6)}:${port(s.remote[1])}` : `${host('*', s.ipv6)}:*`;
    const st = s.proto === 'UDP' ? '' : s.timeWait ? 'TIME_WAIT' : s.remote ? 'ESTABLISHED' : 'LISTEN';
    const prog = has('p') ? (s.timeWait || s.unseen ? '-' : `${s.pid}/${s.comm}`).slice(0, 20) : '';
    out += `${s.proto.toLowerCase()}   ${'0'.padStart(6)} ${'0'.padStart(6)} ${local.padEnd(width)} ${remote.padEnd(width)} ${st.padEnd(12)}${prog}\n`;
  }
  if (unix) out += `Active UNIX domain sockets ${title}\nProto RefCnt Flags       Type       State         I-Node ${banner}Path\n`;
  return ok(out);
};

/** busybox's route table (`netstat -r`, bb_displayroutes): the pod's default route through the CNI's link-local gateway. */
function routeTable(numeric: boolean): string {
  const any = numeric ? '0.0.0.0' : 'default';
  return 'Kernel IP routing table\nDestination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n' +
    `${any.padEnd(15)} 169.254.1.1     0.0.0.0         UG        0 0          0 eth0\n` +
    `169.254.1.1     ${(numeric ? '0.0.0.0' : '*').padEnd(15)} 255.255.255.255 UH        0 0          0 eth0\n`;
}

/** A pod sees its own DNS queries and the connections it opened (before the DNAT) or served (after it). */
function podVantage(pod: Pod): Vantage {
  const ip = pod.status.podIP;
  return {
    query: (q) => q.src === ip,
    connection: (c) => {
      if (c.src === ip) return { src: c.src, sport: c.sport, dst: c.dst, dport: c.dport, out: true };
      if (c.replySrc === ip) return { src: c.replyDst, sport: c.replyDport, dst: ip, dport: c.replySport, out: false };
      return undefined;
    },
  };
}

/** The shell's session as root in the container: netshoot and busybox run as root, `kubectl exec` included. */
function asRoot(ctx: CommandContext): CommandContext {
  if (ctx.session.root) return ctx;
  // Derived, not spread: a context may carry its fields on its prototype (kubectl's).
  return Object.assign(Object.create(ctx) as CommandContext, { session: Object.assign(Object.create(ctx.session) as ShellSession, { root: true }) });
}

const tcpdump: PodTool = (ctx, pod, _c, argv) => {
  const node = hostNode(ctx, pod);
  return capture(asRoot(ctx), argv, node ? nodeVantage(node) : podVantage(pod), node ? NODE_INTERFACES : ['eth0', 'any', 'lo']);
};

/** netcat-openbsd on musl (netshoot): a connect through the pod's network; loopback reaches the pod's own listeners. */
const nc: PodTool = (ctx, pod, container, argv) => {
  const node = hostNode(ctx, pod);
  if (node) return nodeNc(Object.assign(Object.create(ctx) as CommandContext, { session: Object.assign(Object.create(ctx.session) as ShellSession, { node: node.metadata.name, container: undefined, root: true }) }), argv);
  return ncWith(ctx, argv, 'musl', (host, port, wait) => {
    if (host === 'localhost' || host.startsWith('127.')) {
      return podSockets(ctx.state, pod, container).some((s) => !s.remote && s.proto === 'TCP' && s.local[1] === port && s.local[0] !== pod.status.podIP) ? 'connected' : 'refused';
  }
    return connectOutcome(httpRequest(ctx.state, pod, `http://${host}:${port}/`, { connectOnly: true, ...(wait !== undefined ? { maxTimeSeconds: wait } : {}) }));
  });
};

/**
 * The routers a packet from the pod crosses on its way to `ip`, and whether the destination
 * answers (busybox traceroute's UDP probes to ports 33434 and up, which the destination
 * refuses with an ICMP port unreachable). The pod's node routes first (its address answers
 * the TTL-exceeded); the VPC forwards without a hop, the destination's node routes next. A
 * Service's address is not a host: kube-proxy DNATs only the Service's own ports, so the
 * probes go out the default route and nothing ever answers. A dropped probe (policy, a pod
 * that does not run) leaves the rest silent; AWS's gateways never answer on the way out.
 */
function tracePath(state: ClusterState, pod: Pod, ip: string): { hops: (string | undefined)[]; reached: boolean } {
  const here = pod.spec.nodeName ? state.nodes[pod.spec.nodeName] : undefined;
  // The node answers from the address its route back to the pod leaves by: its own on routed
  // CNIs (AWS VPC CNI, Calico), the bridge's (cni0, the pod subnet's first) on bridge CNIs.
  const routed = ['aws-node', 'calico'].includes(state.network.cni.name);
  const first = here ? (routed ? nodeIP(here) : `${(pod.status.podIP ?? '').split('.').slice(0, 3).join('.')}.1`) : undefined;
  const target = podByIP(state, ip);
  if (target && !target.spec.hostNetwork) {
    const there = target.spec.nodeName ? state.nodes[target.spec.nodeName] : undefined;
    const via = there && there !== here ? [first, nodeIP(there)] : [first];
    const answers = podAnswers(target) && podRoutable(state, target) && connectionAllowed(state, { ip: pod.status.podIP ?? '', pod }, { ip, pod: target }, 33434, 'UDP');
    return { hops: answers ? [...via, ip] : via, reached: answers };
  }
  const node = nodeByIP(state, ip);
  if (node) return { hops: node === here ? [ip] : [first, ip], reached: true };
  if (Object.values(state.network.externalDNS).includes(ip)) return { hops: [first, undefined, ip], reached: true };
  return { hops: [first], reached: false };
}

const TRACE_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: traceroute [-46IFlnrv] [-f 1ST_TTL] [-m MAXTTL] [-q PROBES] [-p PORT]\n\t[-t TOS] [-w WAIT_SEC] [-s SRC_IP] [-i IFACE]\n\t[-z PAUSE_MSEC] HOST [BYTES]\n\nTrace the route to HOST\n';

/**
 * busybox traceroute (networking/traceroute.c): `traceroute to HOST (IP), 30 hops max, 46 byte
 * packets`, then per hop `%2d` and for each probe `  NAME (IP)` at the first answer from an
 * address, `  %.3f ms`, or `  *` after waiting -w seconds (3); it stops at the destination.
 */
const traceroute: PodTool = (ctx, pod, _c, argv) => {
  let numeric = false;
  let max = 30;
  let wait = 3;
  let probes = 3;
  const rest: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): number | undefined => (/^\d+$/.test(args[i + 1] ?? '') ? Number(args[++i]) : undefined);
    if (a === '-n') numeric = true;
    else if (a === '-m' || a === '-w' || a === '-q') {
      const v = value();
      if (v === undefined || v < 1 || (a === '-m' && v > 255) || (a === '-q' && v > 10)) return fail(TRACE_USAGE);
      if (a === '-m') max = v;
      else if (a === '-w') wait = v;
      else probes = v;
    } else if (a.startsWith('-')) return fail(`traceroute: invalid option -- '${a.slice(1, 2)}'\n${TRACE_USAGE}`);
    else rest.push(a);
  }
  const [target] = rest;
  if (target === undefined) return fail(TRACE_USAGE);
  let ip = target;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(target)) {
    const r = resolveName(ctx.state, pod, target, 'A');
    if (r.kind !== 'answer') return fail(`traceroute: bad address '${target}'\n`);
    ip = r.records[0]!.data;
  }
  const { hops, reached } = hostNode(ctx, pod) ? { hops: [ip], reached: true } : tracePath(ctx.state, pod, ip);
  let out = `traceroute to ${target} (${ip}), ${max} hops max, 46 byte packets\n`;
  let waited = 0;
  for (let ttl = 1; ttl <= max; ttl++) {
    const at = ttl <= hops.length ? hops[ttl - 1] : undefined;
    let line = String(ttl).padStart(2);
    for (let p = 0; p < probes; p++) {
      if (at === undefined) {
        line += '  *';
        waited += wait * 1000;
        continue;
      }
      if (p === 0) line += numeric ? `  ${at}` : `  ${at} (${at})`;
      // Tens of microseconds inside the VPC, milliseconds out on the internet.
      const base = at.startsWith('10.') ? 0.004 : 1.2;
      line += `  ${(base + ((ttl * 37 + p * 11 + at.length) % 90) / 1000 * (ttl === 1 ? 0.1 : 1)).toFixed(3)} ms`;
    }
    out += `${line}\n`;
    if (reached && ttl === hops.length) break;
  }
  ctx.passTime?.(waited);
  return ok(out);
};

export const POD_TOOLS: Record<string, PodTool> = { ss, netstat, tcpdump, nc, traceroute };
