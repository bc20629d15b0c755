// Network tools on a node after `ssh NODE`: iptables / iptables-save (iptables.ts),
// ipvsadm, conntrack, ip route / ip addr, curl and nc -z (curl.ts) — each printed like the real tool.
import { nodeIP } from '../../../cluster/controllers/kubelet.js';
import { bootTime, hash32 } from '../common.js';
import { cidrRange, intToIp } from '../../../cluster/ipam.js';
import { kernelMajor } from '../../../cluster/network/dns-delay.js';
import { inCIDR, podAnswers, proxyProgrammed, readyEndpoints, allServices } from '../../../cluster/network/services.js';
import type { ClusterState, Node, Pod } from '../../../cluster/types.js';
import { fail, ok, type CommandContext, type CommandResult, type ShellCommand } from '../../types.js';
import { dig, host, nslookup } from '../../exec/dns-tools.js';
import { curl, hostClient, nc } from './curl.js';
import { iptables, iptablesSave } from './iptables.js';
import { ipset } from './ipset.js';
import { tcpdump } from './tcpdump.js';

function currentNode(ctx: CommandContext): Node | undefined {
  return ctx.session.node ? ctx.state.nodes[ctx.session.node] : undefined;
}

interface VirtualService {
  proto: 'TCP' | 'UDP';
  vip: string;
  port: number;
  real: { ip: string; port: number }[];
}

/** IPVS virtual servers kube-proxy (ipvs mode) programs on a node. */
function ipvsServices(state: ClusterState, node: Node): VirtualService[] {
  const out: VirtualService[] = [];
  if (state.network.proxyMode !== 'ipvs' || !proxyProgrammed(state, node.metadata.name)) return out;
  for (const svc of allServices(state)) {
    if (svc.spec.clusterIP === 'None') continue;
    for (const port of svc.spec.ports) {
      let real = readyEndpoints(state, svc, port).map((e) => ({ ip: e.ip, port: e.port, nodeName: e.nodeName }));
      out.push({ proto: port.protocol, vip: svc.spec.clusterIP, port: port.port, real });
      if (port.nodePort === undefined || svc.spec.type === 'ClusterIP') continue;
      if (svc.spec.externalTrafficPolicy === 'Local') real = real.filter((e) => e.nodeName === node.metadata.name);
      out.push({ proto: port.protocol, vip: nodeIP(node), port: port.nodePort, real });
      for (const ing of svc.status.loadBalancer.ingress) if (ing.ip) out.push({ proto: port.protocol, vip: ing.ip, port: port.port, real });
    }
  }
  const key = (v: VirtualService) => `${v.proto}${v.vip.split('.').map((o) => o.padStart(3, '0')).join('.')}:${String(v.port).padStart(5, '0')}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

function ipvsadm(ctx: CommandContext, argv: string[]): CommandResult {
  const node = currentNode(ctx);
  if (!node) return fail('ipvsadm: command not found\n', 127);
  const flags = argv.slice(1).join(' ');
  if (!/-L|--list|-l/.test(flags) && argv.length > 1 && !/-n/.test(flags)) return fail('ipvsadm: changing the IPVS table is not possible in this drill; use -Ln\n', 2);
  const stats = /--stats/.test(flags);
  const conns = ctx.state.network.conntrack.filter((c) => c.node === node.metadata.name);
  const lines = ['IP Virtual Server version 1.2.1 (size=4096)'];
  if (stats) lines.push('Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes', '  -> RemoteAddress:Port');
  else lines.push('Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn');
  for (const v of ipvsServices(ctx.state, node)) {
    const n = conns.filter((c) => c.dst === v.vip && c.dport === v.port).length;
    if (stats) lines.push(`${v.proto}  ${`${v.vip}:${v.port}`.padEnd(31)} ${String(n).padStart(5)} ${String(n * 6).padStart(8)} ${String(n * 5).padStart(8)} ${String(n * 420).padStart(8)} ${String(n * 900).padStart(8)}`);
    else lines.push(`${v.proto}  ${v.vip}:${v.port} rr`);
    for (const r of v.real) {
      const inact = conns.filter((c) => c.replySrc === r.ip && c.replySport === r.port && c.state !== 'ESTABLISHED').length;
      const act = conns.filter((c) => c.replySrc === r.ip && c.replySport === r.port && c.state === 'ESTABLISHED').length;
      const addr = `${r.ip}:${r.port}`;
      if (stats) lines.push(`  -> ${addr.padEnd(28)} ${String(inact).padStart(5)} ${String(inact * 6).padStart(8)} ${String(inact * 5).padStart(8)} ${String(inact * 420).padStart(8)} ${String(inact * 900).padStart(8)}`);
      else lines.push(`  -> ${addr.padEnd(28)} Masq    1      ${String(act).padEnd(10)} ${String(inact).padEnd(10)}`);
    }
  }
  return ok(`${lines.join('\n')}\n`);
}

const PROTO_NUM = { tcp: 6, udp: 17 } as const;

function conntrack(ctx: CommandContext, argv: string[]): CommandResult {
  const node = currentNode(ctx);
  if (!node) return fail('conntrack: command not found\n', 127);
  const args = argv.slice(1);
  const value = (...names: string[]) => {
    const i = args.findIndex((a) => names.includes(a));
    return i >= 0 ? args[i + 1] : undefined;
  };
  const action = args.find((a) => ['-L', '--dump', '-C', '--count', '-S', '--stats', '-D', '-F', '-E'].includes(a));
  if (!action) return fail('conntrack v1.4.7 (conntrack-tools): no command specified\nTry `conntrack -h\' or \'conntrack --help\' for more information.\n', 2);
  if (['-D', '-F', '-E'].includes(action)) return fail('conntrack v1.4.7 (conntrack-tools): Operation not permitted in this drill\n', 1);
  const proto = value('-p', '--proto');
  const dport = value('--dport', '--orig-port-dst');
  const src = value('-s', '--src', '--orig-src');
  const dst = value('-d', '--dst', '--orig-dst');
  const now = ctx.state.now;
  const entries = ctx.state.network.conntrack.filter((c) => c.node === node.metadata.name && c.expiresAt > now)
    .filter((c) => (!proto || c.protocol === proto) && (!dport || String(c.dport) === dport) && (!src || c.src === src) && (!dst || c.dst === dst));
  if (action === '-C' || action === '--count') return ok(`${entries.length}\n`);
  if (action === '-S' || action === '--stats') return ok(conntrackStats(ctx.state, node));
  const lines = entries.map((c) => {
    const ttl = Math.max(0, Math.ceil((c.expiresAt - now) / 1000));
    const state = c.protocol === 'tcp' ? `${c.state} ` : '';
    const assured = c.protocol === 'tcp' ? '[ASSURED] ' : '';
    return `${c.protocol.padEnd(8)} ${PROTO_NUM[c.protocol]} ${ttl} ${state}src=${c.src} dst=${c.dst} sport=${c.sport} dport=${c.dport} src=${c.replySrc} dst=${c.replyDst} sport=${c.replySport} dport=${c.replyDport} ${assured}mark=0 use=1`;
  });
  return { stdout: lines.map((l) => `${l}\n`).join(''), stderr: `conntrack v1.4.7 (conntrack-tools): ${lines.length} flow entries have been shown.\n`, exitCode: 0 };
}

/** How the kernel's per-CPU counters split a node's totals (fixed, so a replay prints the same). */
const CPU_SHARES = [0.31, 0.24, 0.27, 0.18, 0.22, 0.26, 0.29, 0.21];

/**
 * `conntrack -S`: a line per CPU, `cpu=%-4u\t` then `name=value ` for each counter the kernel
 * reports (conntrack-tools nfct_stats_cb); older kernels report `ignore`, newer ones
 * `clash_resolve` (5.x) and `chaintoolong` (6.x).
 */
function conntrackStats(state: ClusterState, node: Node): string {
  const c = state.network.dnsCounters?.[node.metadata.name];
  const major = kernelMajor(state, node.metadata.name);
  const cpus = Math.max(1, Math.min(CPU_SHARES.length, Math.round(node.status.capacity.cpu / 1000)));
  const weights = CPU_SHARES.slice(0, cpus);
  const total = weights.reduce((a, b) => a + b, 0);
  const part = (n: number | undefined, i: number) => Math.floor(((n ?? 0) * weights[i]!) / total);
  const lines: string[] = [];
  for (let i = 0; i < cpus; i++) {
    const fields: [string, number][] = [['found', part(c?.found, i)], ['invalid', part(c?.invalid, i)]];
    if (major < 6) fields.push(['ignore', part((c?.found ?? 0) * 37, i)]);
    fields.push(['insert', 0], ['insert_failed', part(c?.insertFailed, i)], ['drop', part(c?.drop, i)], ['early_drop', 0], ['error', part(c?.invalid, i) >> 3], ['search_restart', part(c?.searchRestart, i)]);
    if (major >= 5) fields.push(['clash_resolve', part(c?.clashResolve, i)]);
    if (major >= 6) fields.push(['chaintoolong', 0]);
    lines.push(`cpu=${String(i).padEnd(4)}\t${fields.map(([k, v]) => `${k}=${v} `).join('')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** ENA driver statistics (`ethtool -S ens5`): the allowance counters AWS documents, then the first queue. */
function ethtool(ctx: CommandContext, argv: string[]): CommandResult {
  const node = currentNode(ctx);
  if (!node) return fail('ethtool: command not found\n', 127);
  const args = argv.slice(1);
  const dev = args.find((a) => !a.startsWith('-'));
  if (!args.includes('-S') && !args.includes('--statistics')) return fail('ethtool: only -S (statistics) is available in this drill\n', 1);
  if (dev === undefined) return fail('ethtool: bad command line argument(s)\nFor more information run ethtool -h\n', 1);
  if (dev !== 'ens5') return fail('netlink error: no device matches name (offset 24)\nnetlink error: No such device\n', 1);
  const c = ctx.state.network.dnsCounters?.[node.metadata.name];
  const up = Math.floor((c?.found ?? 0) * 50);
  const stats: [string, number][] = [
    ['tx_timeout', 0], ['suspend', 0], ['resume', 0], ['wd_expired', 0], ['interface_up', 2], ['interface_down', 1], ['admin_q_pause', 0],
    ['bw_in_allowance_exceeded', 0], ['bw_out_allowance_exceeded', 0], ['pps_allowance_exceeded', 0],
    ['conntrack_allowance_available', 136_812], ['conntrack_allowance_exceeded', 0], ['linklocal_allowance_exceeded', Math.floor(c?.linklocalExceeded ?? 0)],
    ['queue_0_tx_cnt', up], ['queue_0_tx_bytes', up * 212], ['queue_0_tx_queue_stop', 0], ['queue_0_tx_queue_wakeup', 0],
    ['queue_0_rx_cnt', up + (up >> 3)], ['queue_0_rx_bytes', (up + (up >> 3)) * 187], ['queue_0_rx_refil_partial', 0],
  ];
  return ok(`NIC statistics:\n${stats.map(([k, v]) => `     ${k}: ${v}\n`).join('')}`);
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  let h2 = 0x1234567;
  for (let i = 0; i < text.length; i++) h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return (h.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0'));
}

/** The host-side veth name the CNI gives a pod (AWS: eni + 11 hex; Calico: cali + 11 hex). */
function vethName(state: ClusterState, pod: Pod): string {
  const h = hash(`${pod.metadata.namespace}.${pod.metadata.name}`).slice(0, 11);
  return state.network.cni.name === 'calico' ? `cali${h}` : state.network.cni.name === 'aws-node' ? `eni${h}` : `veth${h.slice(0, 8)}`;
}

function localPods(state: ClusterState, node: string): Pod[] {
  return Object.keys(state.pods).sort().map((k) => state.pods[k]!)
    .filter((p) => p.spec.nodeName === node && !p.spec.hostNetwork && p.status.podIP && podAnswers(p) !== undefined);
}

function subnetOf(ip: string): { cidr: string; gw: string } {
  const o = ip.split('.');
  return { cidr: `${o[0]}.${o[1]}.${o[2]}.0/24`, gw: `${o[0]}.${o[1]}.${o[2]}.1` };
}

function ipRoute(state: ClusterState, node: Node): string {
  const ip = nodeIP(node);
  const { cidr, gw } = subnetOf(ip);
  const lines = [
    `default via ${gw} dev ens5 proto dhcp src ${ip} metric 100 `,
    `10.0.0.2 via ${gw} dev ens5 proto dhcp src ${ip} metric 100 `,
    `${cidr} dev ens5 proto kernel scope link src ${ip} metric 100 `,
    `${gw} dev ens5 proto dhcp scope link src ${ip} metric 100 `,
  ];
  const cni = state.network.cni.name;
  const pods = localPods(state, node.metadata.name);
  if (cni === 'aws-node') {
    for (const p of pods) lines.push(`${p.status.podIP} dev ${vethName(state, p)} scope link `);
  } else if (cni === 'calico') {
    lines.push(`blackhole ${node.spec.podCIDR} proto bird `);
    for (const p of pods) lines.push(`${p.status.podIP} dev ${vethName(state, p)} scope link `);
    for (const other of Object.values(state.nodes)) if (other !== node) lines.push(`${other.spec.podCIDR} via ${nodeIP(other)} dev tunl0 proto bird onlink `);
  } else {
    const base = node.spec.podCIDR.split('/')[0]!.split('.');
    lines.push(`${node.spec.podCIDR} dev cni0 proto kernel scope link src ${base[0]}.${base[1]}.${base[2]}.1 `);
    for (const other of Object.values(state.nodes)) if (other !== node) lines.push(`${other.spec.podCIDR} via ${other.spec.podCIDR.split('/')[0]} dev ${cni === 'cilium' ? 'cilium_host' : 'flannel.1'} onlink `);
  }
  const key = (l: string) => (l.startsWith('default') ? '' : l.replace(/^blackhole /, '').split(/[ /]/)[0]!.split('.').map((o) => o.padStart(3, '0')).join('.'));
  return [lines[0]!, ...lines.slice(1).sort((a, b) => (key(a) < key(b) ? -1 : 1))].join('\n') + '\n';
}

function mac(seed: string): string {
  const h = hash(seed);
  return `0${(parseInt(h[0]!, 16) & 0xe).toString(16)}:${h.slice(1, 11).match(/../g)!.join(':')}`;
}

function ipAddr(state: ClusterState, node: Node): string {
  const ip = nodeIP(node);
  const blocks = [
    ['1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000', '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00', '    inet 127.0.0.1/8 scope host lo', '       valid_lft forever preferred_lft forever'],
    ['2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000', `    link/ether ${mac(node.metadata.name)} brd ff:ff:ff:ff:ff:ff`, `    altname enp0s5`, `    inet ${ip}/24 metric 100 brd ${subnetOf(ip).gw.replace(/\.1$/, '.255')} scope global dynamic ens5`, '       valid_lft 2845sec preferred_lft 2845sec'],
  ];
  let idx = 3;
  if (state.network.proxyMode === 'ipvs') {
    const vips = [...new Set(allServices(state).map((s) => s.spec.clusterIP).filter((v) => v && v !== 'None'))];
    blocks.push([`${idx++}: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default `, `    link/ether ${mac(`ipvs${node.metadata.name}`)} brd ff:ff:ff:ff:ff:ff`, ...vips.flatMap((v) => [`    inet ${v}/32 scope global kube-ipvs0`, '       valid_lft forever preferred_lft forever'])]);
  }
  if (state.network.cni.name === 'calico') blocks.push([`${idx++}: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 8981 qdisc noqueue state UNKNOWN group default qlen 1000`, '    link/ipip 0.0.0.0 brd 0.0.0.0', `    inet ${node.spec.podCIDR.split('/')[0]!.replace(/\.0$/, '.0')}/32 scope global tunl0`, '       valid_lft forever preferred_lft forever']);
  for (const [dev, cidr] of Object.entries(node.host.links ?? {})) {
    blocks.push([`${idx++}: ${dev}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000`, `    link/ether ${mac(`${dev}${node.metadata.name}`)} brd ff:ff:ff:ff:ff:ff`, `    inet ${cidr} brd ${intToIp(cidrRange(cidr).first + cidrRange(cidr).size - 1)} scope global ${dev}`, '       valid_lft forever preferred_lft forever']);
  }
  for (const p of localPods(state, node.metadata.name)) {
    blocks.push([`${idx}: ${vethName(state, p)}@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc noqueue state UP group default `, `    link/ether ${mac(p.metadata.uid)} brd ff:ff:ff:ff:ff:ff link-netns cni-${hash(p.metadata.uid).slice(0, 8)}-${hash(p.metadata.name).slice(0, 4)}`]);
    idx++;
  }
  return blocks.map((b) => b.join('\n')).join('\n') + '\n';
}

/** `ip link delete DEV`: the host's virtual links (a bridge the CNI recreates on the next sandbox). */
function ipLinkDelete(ctx: CommandContext, node: Node, args: string[]): CommandResult {
  const dev = args[0] === 'dev' ? args[1] : args[0];
  if (!dev) return fail('Not enough information: "dev" argument is required.\n', 255);
  if (!ctx.session.root) return fail('RTNETLINK answers: Operation not permitted\n', 2);
  if (!node.host.links || !(dev in node.host.links)) return fail(`Cannot find device "${dev}"\n`, 1);
  const { [dev]: _gone, ...rest } = node.host.links;
  node.host.links = rest;
  return ok('');
}

/**
 * One link of `ip -br addr` (iproute2 ipaddress.c, brief mode): the name in 16 columns, the
 * operational state in 14, then each address and a space.
 */
function briefLine(block: string): string {
  const head = /^\d+: (\S+): <[^>]*>.*? state (\S+)/.exec(block);
  const addrs = [...block.matchAll(/^ {4}inet (\S+)/gm)].map((m) => `${m[1]} `).join('');
  return `${(head?.[1] ?? '').padEnd(16)} ${(head?.[2] ?? 'UNKNOWN').padEnd(14)} ${addrs}\n`;
}

/**
 * One link of `ip link show` (iproute2 ipaddress.c print_linkinfo): `ip addr`'s block without
 * the addresses, and `mode DEFAULT` after the operational state.
 */
function linkBlock(block: string): string {
  const lines = block.split('\n').filter((l) => !/^ {4}inet6? |^ {7}valid_lft/.test(l));
  lines[0] = lines[0]!.replace(/( state \S+)/, '$1 mode DEFAULT');
  return `${lines.join('\n')}\n`;
}

/** `ip -br link`: the name in 16 columns, the state in 14, the link address, the flags. */
function briefLinkLine(block: string): string {
  const head = /^\d+: (\S+): (<[^>]*>).*? state (\S+)/.exec(block);
  const link = /^ {4}link\/\S+ (\S+)/m.exec(block)?.[1] ?? '';
  return `${(head?.[1] ?? '').padEnd(16)} ${(head?.[3] ?? 'UNKNOWN').padEnd(14)} ${link} ${head?.[2] ?? ''} \n`;
}

/**
 * A link's counters for `ip -s link` since the node booted: steady byte rates by kind of link
 * (loopback, the ENI, a pod's veth) and a mean packet size each way; no errors or drops.
 */
function linkCounters(state: ClusterState, node: Node, dev: string): { rx: [number, number]; tx: [number, number] } {
  const up = Math.max(0, Math.floor((state.now - bootTime(node)) / 1000));
  const jitter = 0.8 + (hash32(`${node.metadata.name}/${dev}`) % 400) / 1000;
  const [rxRate, txRate, rxSize, txSize] = dev === 'lo' ? [48_000, 48_000, 620, 620] : dev === 'ens5' ? [210_000, 160_000, 940, 710] : [1_900, 2_300, 380, 420];
  const bytes = (rate: number): number => Math.floor(up * rate * jitter);
  return { rx: [bytes(rxRate), Math.floor(bytes(rxRate) / rxSize)], tx: [bytes(txRate), Math.floor(bytes(txRate) / txSize)] };
}

/**
 * `ip -s link`'s two counter blocks (iproute2 ipaddress.c print_stats64): a column is as wide as
 * its widest number or its base (`*X errors:`, packets, errors, dropped, heartbt, overrun: 10 7
 * 6 7 7 7), RX and TX alike; the headers end with an empty `compressed` column, each number
 * with a space.
 */
function statsLines(c: { rx: [number, number]; tx: [number, number] }): string[] {
  const rx = [c.rx[0], c.rx[1], 0, 0, 0, 0];
  const tx = [c.tx[0], c.tx[1], 0, 0, 0, 0];
  const widths = [10, 7, 6, 7, 7, 7].map((w, i) => Math.max(w, String(rx[i]).length, String(tx[i]).length));
  const header = (dir: 'RX' | 'TX', names: string[]): string =>
    `    ${dir}: ${'bytes'.padStart(widths[0]! - 4)}${names.map((h, i) => ` ${h.padStart(widths[i + 1]!)}`).join('')} ${''.padStart(10)}`;
  const row = (cells: number[]): string => `    ${cells.map((v, i) => `${String(v).padStart(widths[i]!)} `).join('')}`;
  return [header('RX', ['packets', 'errors', 'dropped', 'missed', 'mcast']), row(rx), header('TX', ['packets', 'errors', 'dropped', 'carrier', 'collsns']), row(tx)];
}

/**
 * `ip neigh` (iproute2 ipneigh.c: `ADDR dev DEV lladdr MAC STATE `): the VPC gateway and the
 * nodes of the node's subnet on ens5, and each local pod on the link that reaches it.
 */
function ipNeigh(state: ClusterState, node: Node): string {
  const ip = nodeIP(node);
  const { cidr, gw } = subnetOf(ip);
  const lines = [`${gw} dev ens5 lladdr ${mac(`gw/${cidr}`)} REACHABLE `];
  for (const other of Object.values(state.nodes)) {
    const addr = nodeIP(other);
    if (other !== node && inCIDR(addr, cidr)) lines.push(`${addr} dev ens5 lladdr ${mac(other.metadata.name)} REACHABLE `);
  }
  const bridge = state.network.cni.name !== 'aws-node' && state.network.cni.name !== 'calico';
  for (const p of localPods(state, node.metadata.name)) lines.push(`${p.status.podIP} dev ${bridge ? 'cni0' : vethName(state, p)} lladdr ${mac(p.metadata.uid)} REACHABLE `);
  return `${lines.join('\n')}\n`;
}

function ip(ctx: CommandContext, argv: string[]): CommandResult {
  const node = currentNode(ctx);
  if (!node) return fail('ip: command not found\n', 127);
  const brief = argv.includes('-br') || argv.includes('-brief');
  const stats = argv.some((a) => a === '-s' || a === '-stats' || a === '-statistics');
  const args = argv.slice(1).filter((a) => a !== '-4' && a !== '-o' && a !== '-br' && a !== '-brief' && a !== '-s' && a !== '-stats' && a !== '-statistics');
  const obj = args[0] ?? '';
  if (['route', 'r', 'ro', 'rou'].includes(obj)) {
    const show = args[1];
    if (show === 'get' && args[2]) {
      const target = args[2];
      const pod = localPods(ctx.state, node.metadata.name).find((p) => p.status.podIP === target);
      const nIP = nodeIP(node);
      const line = pod ? `${target} dev ${vethName(ctx.state, pod)} src ${nIP} uid 0 ` : inCIDR(target, subnetOf(nIP).cidr) ? `${target} dev ens5 src ${nIP} uid 0 ` : `${target} via ${subnetOf(nIP).gw} dev ens5 src ${nIP} uid 0 `;
      return ok(`${line}\n    cache \n`);
    }
    return ok(ipRoute(ctx.state, node));
  }
  if (['addr', 'a', 'address', 'ad'].includes(obj)) {
    // `ip a show [dev] NAME`: that link's block only.
    const rest = args.slice(1).filter((a) => a !== 'show' && a !== 'list' && a !== 'dev');
    const blocks = ipAddr(ctx.state, node).split(/\n(?=\d+: )/).map((b) => b.replace(/\n$/, ''));
    const chosen = rest[0] === undefined ? blocks : blocks.filter((b) => /^\d+: ([^:@]+)/.exec(b)?.[1] === rest[0]);
    if (chosen.length === 0) return fail(`Device "${rest[0]}" does not exist.\n`, 1);
    const out = brief ? chosen.map(briefLine).join('') : `${chosen.join('\n')}\n`;
    // The address each virtual link carries is a fact of the host (a bridge left with another range's gateway).
    for (const [dev, cidr] of Object.entries(node.host.links ?? {})) {
      const fact = { source: 'host' as const, node: node.metadata.name, field: 'link', name: dev };
      if (ctx.facts?.wants(fact)) ctx.facts.add({ fact: { ...fact, value: cidr }, text: `inet ${cidr}` });
    }
    return ok(out);
  }
  if (['link', 'l', 'li', 'lin'].includes(obj) && ['delete', 'del', 'd'].includes(args[1] ?? '')) return ipLinkDelete(ctx, node, args.slice(2));
  if (['link', 'l', 'li', 'lin'].includes(obj) && ['show', 'list', 'lst', 'sh', undefined].includes(args[1])) {
    const rest = args.slice(2).filter((a) => a !== 'dev');
    const blocks = ipAddr(ctx.state, node).split(/\n(?=\d+: )/).map((b) => b.replace(/\n$/, ''));
    const chosen = rest[0] === undefined ? blocks : blocks.filter((b) => /^\d+: ([^:@]+)/.exec(b)?.[1] === rest[0]);
    if (chosen.length === 0) return fail(`Device "${rest[0]}" does not exist.\n`, 1);
    return ok(chosen.map((b) => {
      if (brief) return briefLinkLine(b);
      if (!stats) return linkBlock(b);
      const dev = /^\d+: ([^:@]+)/.exec(b)?.[1] ?? '';
      return `${linkBlock(b)}${statsLines(linkCounters(ctx.state, node, dev)).join('\n')}\n`;
    }).join(''));
  }
  if (['neigh', 'neighbor', 'neighbour', 'n'].includes(obj) && ['show', 'list', 'sh', undefined].includes(args[1])) return ok(ipNeigh(ctx.state, node));
  if (obj === '' || obj === 'help') return fail('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\nwhere  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp | link |\n                   macsec | maddress | monitor | mptcp | mroute | mrule |\n                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n                   ntbl | route | rule | sr | stats | tap | tcpmetrics |\n                   token | tunnel | tuntap | vrf | xfrm }\n', 255);
  return fail(`Object "${obj}" is unknown, try "ip help".\n`, 255);
}

export const networkTools: Record<string, ShellCommand> = {
  iptables,
  'iptables-save': iptablesSave,
  'iptables-legacy': iptables,
  ipvsadm,
  ipset,
  conntrack,
  ethtool,
  ip,
  curl,
  nc,
  tcpdump,
  ...nameTools(),
};

/**
 * dig, host and nslookup (Ubuntu's bind9 tools) on a node: the host network's resolver
 * (/run/systemd/resolve/resolv.conf, the VPC's), so cluster names answer only with @10.96.0.10.
 */
function nameTools(): Record<string, ShellCommand> {
  const onHost = (tool: (state: ClusterState, from: Pod, argv: string[]) => CommandResult, name: string): ShellCommand => (ctx, argv) => {
    const node = currentNode(ctx);
    if (!node) return fail(`${name}: command not found\n`, 127);
    return tool(ctx.state, hostClient(node), argv);
  };
  return { dig: onHost(dig, 'dig'), host: onHost(host, 'host'), nslookup: onHost((state, from, argv) => nslookup(state, from, argv, 'bind'), 'nslookup') };
}
