// The netfilter tables a node holds: kube-proxy's rules (iptables mode, the v1.29 layout
// with KUBE-EXT/KUBE-SVL chains; a short ipset-based set in IPVS mode) and the CNI's SNAT
// chain, rebuilt from the services and endpoints, with counters fed by the packet path.
import { nodeIP } from '../controllers/kubelet.js';
import type { ClusterState, Service, ServicePort } from '../types.js';
import { counterOf } from './path.js';
import { natFlushed } from './pod-lookup.js';
import { allServices, endpointChain, proxyProgrammed, readyEndpoints, serviceChains, servicePortName, VPC_CIDR } from './services.js';

export interface Rule {
  /** Counter key, "CHAIN>TARGET[#tag]" (see path.ts). */
  key: string;
  target: string;
  prot: 'tcp' | 'udp' | 'all';
  src?: string;
  srcNot?: boolean;
  dst?: string;
  comment?: string;
  /** Extra iptables-save arguments before/after the comment, and their `-L` rendering. */
  pre?: string[];
  matches: { save: string[]; list: string }[];
  target_: { save: string[]; list: string };
  packets: number;
  bytes: number;
}

export interface Chain {
  name: string;
  /** Built-in chains have a policy; user chains have references. */
  policy?: 'ACCEPT' | 'DROP';
  rules: Rule[];
}

export interface Table {
  name: 'nat' | 'filter' | 'raw';
  chains: Chain[];
}

const MARK = '0x4000';

class TableBuilder {
  private chains = new Map<string, Chain>();
  constructor(private readonly state: ClusterState, private readonly node: string, builtins: string[]) {
    for (const b of builtins) this.chains.set(b, { name: b, policy: 'ACCEPT', rules: [] });
  }

  chain(name: string): Chain {
    let c = this.chains.get(name);
    if (!c) this.chains.set(name, (c = { name, rules: [] }));
    return c;
  }

  add(chain: string, target: string, o: Partial<Omit<Rule, 'key' | 'target' | 'packets' | 'bytes'>> & { tag?: string } = {}): void {
    const { tag, ...rest } = o;
    const key = `${chain}>${target}${tag ? `#${tag}` : ''}`;
    const [packets, bytes] = counterOf(this.state, this.node, key);
    this.chain(chain).rules.push({ key, target, prot: 'all', matches: [], target_: { save: [], list: '' }, ...rest, packets, bytes });
    if (!['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'NOTRACK'].includes(target)) this.chain(target);
  }

  build(name: Table['name']): Table {
    const builtins = [...this.chains.values()].filter((c) => c.policy);
    const user = [...this.chains.values()].filter((c) => !c.policy).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { name, chains: [...builtins, ...user] };
  }
}

const proto = (p: ServicePort) => p.protocol.toLowerCase() as 'tcp' | 'udp';
const portMatch = (p: ServicePort, port: number) => ({ save: ['-m', proto(p), '--dport', String(port)], list: `${proto(p)} dpt:${port}` });
const addrtype = (dir: 'src' | 'dst', not = false) => ({ save: ['-m', 'addrtype', ...(not ? ['!'] : []), `--${dir}-type`, 'LOCAL'], list: `ADDRTYPE match ${dir}-type ${not ? '!' : ''}LOCAL` });

/** iptables' own rendering of a statistic probability (stored as a fraction of 2^31). */
function probability(n: number): string {
  return (Math.round(2 ** 31 / n) / 2 ** 31).toFixed(11);
}

function serviceRules(t: TableBuilder, state: ClusterState, node: string, svc: Service): void {
  if (svc.spec.clusterIP === 'None' || !svc.spec.clusterIP) return;
  const clusterCIDR = state.network.clusterCIDR;
  for (const port of svc.spec.ports) {
    const name = servicePortName(svc, port);
    const ch = serviceChains(svc, port);
    const eps = readyEndpoints(state, svc, port);
    if (eps.length === 0) continue; // the filter table REJECTs it instead
    const p = proto(port);
    t.add('KUBE-SERVICES', ch.svc, { prot: p, dst: `${svc.spec.clusterIP}/32`, comment: `${name} cluster IP`, matches: [portMatch(port, port.port)] });
    const external = port.nodePort !== undefined && svc.spec.type !== 'ClusterIP';
    const local = svc.spec.externalTrafficPolicy === 'Local';
    if (external) {
      for (const ing of svc.status.loadBalancer.ingress) {
        if (ing.ip) t.add('KUBE-SERVICES', ch.ext, { tag: 'lb', prot: p, dst: `${ing.ip}/32`, comment: `${name} loadbalancer IP`, matches: [portMatch(port, port.port)] });
      }
      t.add('KUBE-NODEPORTS', ch.ext, { prot: p, comment: name, matches: [portMatch(port, port.nodePort!)] });
      if (local) {
        t.add(ch.ext, ch.svc, { tag: 'pod', src: clusterCIDR, comment: `pod traffic for ${name} external destinations` });
        t.add(ch.ext, 'KUBE-MARK-MASQ', { comment: `masquerade LOCAL traffic for ${name} external destinations`, matches: [addrtype('src')] });
        t.add(ch.ext, ch.svc, { tag: 'local', comment: `route LOCAL traffic for ${name} external destinations`, matches: [addrtype('src')] });
        t.add(ch.ext, ch.svl);
      } else {
        t.add(ch.ext, 'KUBE-MARK-MASQ', { comment: `masquerade traffic for ${name} external destinations` });
        t.add(ch.ext, ch.svc);
      }
    }
    t.add(ch.svc, 'KUBE-MARK-MASQ', { prot: p, src: clusterCIDR, srcNot: true, dst: `${svc.spec.clusterIP}/32`, comment: `${name} cluster IP`, matches: [portMatch(port, port.port)] });
    const jumps = (chain: string, list: typeof eps) => list.forEach((ep, i) => {
      const last = i === list.length - 1;
      const stat = { save: ['-m', 'statistic', '--mode', 'random', '--probability', probability(list.length - i)], list: `statistic mode random probability ${probability(list.length - i)}` };
      t.add(chain, endpointChain(svc, port, ep), { comment: `${name} -> ${ep.ip}:${ep.port}`, matches: last ? [] : [stat] });
    });
    jumps(ch.svc, eps);
    if (external && local) jumps(ch.svl, eps.filter((e) => e.nodeName === node));
    for (const ep of eps) {
      const sep = endpointChain(svc, port, ep);
      t.add(sep, 'KUBE-MARK-MASQ', { src: `${ep.ip}/32`, comment: name });
      t.add(sep, 'DNAT', { prot: p, comment: name, matches: [{ save: ['-m', p], list: p }], target_: { save: ['--to-destination', `${ep.ip}:${ep.port}`], list: `to:${ep.ip}:${ep.port}` } });
    }
  }
}

function kubeProxyNat(t: TableBuilder, state: ClusterState, node: string): void {
  t.add('PREROUTING', 'KUBE-SERVICES', { comment: 'kubernetes service portals' });
  t.add('OUTPUT', 'KUBE-SERVICES', { comment: 'kubernetes service portals' });
  t.add('POSTROUTING', 'KUBE-POSTROUTING', { comment: 'kubernetes postrouting rules' });
  t.add('KUBE-MARK-MASQ', 'MARK', { target_: { save: ['--set-xmark', `${MARK}/${MARK}`], list: `MARK or ${MARK}` } });
  t.add('KUBE-POSTROUTING', 'RETURN', { matches: [{ save: ['-m', 'mark', '!', '--mark', `${MARK}/${MARK}`], list: `mark match ! ${MARK}/${MARK}` }] });
  t.add('KUBE-POSTROUTING', 'MARK', { tag: 'clear', target_: { save: ['--set-xmark', `${MARK}/0x0`], list: `MARK xor ${MARK}` } });
  t.add('KUBE-POSTROUTING', 'MASQUERADE', { comment: 'kubernetes service traffic requiring SNAT', target_: { save: ['--random-fully'], list: 'random-fully' } });
  if (state.network.proxyMode === 'ipvs') {
    const set = (name: string, dirs: string) => ({ save: ['-m', 'set', '--match-set', name, dirs], list: `match-set ${name} ${dirs}` });
    t.add('KUBE-SERVICES', 'KUBE-MARK-MASQ', { src: state.network.clusterCIDR, srcNot: true, comment: 'Kubernetes service cluster ip + port for masquerade purpose', matches: [set('KUBE-CLUSTER-IP', 'dst,dst')] });
    t.add('KUBE-SERVICES', 'KUBE-NODE-PORT', { matches: [addrtype('dst')] });
    t.add('KUBE-SERVICES', 'ACCEPT', { matches: [set('KUBE-CLUSTER-IP', 'dst,dst')] });
    t.add('KUBE-NODE-PORT', 'KUBE-MARK-MASQ', { prot: 'tcp', comment: 'Kubernetes nodeport TCP port for masquerade purpose', matches: [set('KUBE-NODE-PORT-TCP', 'dst')] });
    return;
  }
  for (const svc of allServices(state)) serviceRules(t, state, node, svc);
  t.add('KUBE-SERVICES', 'KUBE-NODEPORTS', { comment: 'kubernetes service nodeports; NOTE: this must be the last rule in this chain', matches: [addrtype('dst')] });
}

/** The CNI's own SNAT for traffic leaving the VPC (AWS VPC CNI: AWS-SNAT-CHAIN-0). */
function cniNat(t: TableBuilder, state: ClusterState, node: string): void {
  if (state.network.cni.name !== 'aws-node') return;
  const n = state.nodes[node];
  t.add('POSTROUTING', 'AWS-SNAT-CHAIN-0', { comment: 'AWS SNAT CHAIN' });
  t.add('AWS-SNAT-CHAIN-0', 'RETURN', { dst: VPC_CIDR, comment: 'AWS SNAT CHAIN' });
  t.add('AWS-SNAT-CHAIN-0', 'SNAT', {
    pre: ['!', '-o', 'vlan+'], comment: 'AWS, SNAT', matches: [addrtype('dst', true)],
    target_: { save: ['--to-source', n ? nodeIP(n) : '', '--random-fully'], list: `to:${n ? nodeIP(n) : ''} random-fully` },
  });
}

export function natTable(state: ClusterState, node: string): Table {
  const t = new TableBuilder(state, node, ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
  if (proxyProgrammed(state, node)) kubeProxyNat(t, state, node);
  if (!natFlushed(state, node)) cniNat(t, state, node);
  return t.build('nat');
}

export function filterTable(state: ClusterState, node: string): Table {
  const t = new TableBuilder(state, node, ['INPUT', 'FORWARD', 'OUTPUT']);
  t.add('INPUT', 'KUBE-FIREWALL');
  t.add('OUTPUT', 'KUBE-FIREWALL');
  t.add('KUBE-FIREWALL', 'DROP', {
    src: '127.0.0.0/8', srcNot: true, dst: '127.0.0.0/8', comment: 'block incoming localnet connections',
    matches: [{ save: ['-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT'], list: 'ctstate !RELATED,ESTABLISHED,DNAT' }],
  });
  // A flushed nat table leaves the filter rules in place.
  if ((proxyProgrammed(state, node) || natFlushed(state, node)) && state.network.proxyMode === 'iptables') {
    const reject = { save: ['--reject-with', 'icmp-port-unreachable'], list: 'reject-with icmp-port-unreachable' };
    t.add('INPUT', 'KUBE-NODEPORTS', { comment: 'kubernetes health check service ports' });
    t.add('INPUT', 'KUBE-EXTERNAL-SERVICES', { comment: 'kubernetes externally-visible service portals', matches: [{ save: ['-m', 'conntrack', '--ctstate', 'NEW'], list: 'ctstate NEW' }] });
    t.add('FORWARD', 'KUBE-FORWARD', { comment: 'kubernetes forwarding rules' });
    t.add('FORWARD', 'KUBE-SERVICES', { comment: 'kubernetes service portals', matches: [{ save: ['-m', 'conntrack', '--ctstate', 'NEW'], list: 'ctstate NEW' }] });
    t.add('OUTPUT', 'KUBE-SERVICES', { comment: 'kubernetes service portals', matches: [{ save: ['-m', 'conntrack', '--ctstate', 'NEW'], list: 'ctstate NEW' }] });
    t.add('KUBE-FORWARD', 'DROP', { matches: [{ save: ['-m', 'conntrack', '--ctstate', 'INVALID'], list: 'ctstate INVALID' }] });
    t.add('KUBE-FORWARD', 'ACCEPT', { comment: 'kubernetes forwarding rules', matches: [{ save: ['-m', 'mark', '--mark', `${MARK}/${MARK}`], list: `mark match ${MARK}/${MARK}` }] });
    t.add('KUBE-FORWARD', 'ACCEPT', { tag: 'ct', comment: 'kubernetes forwarding conntrack rule', matches: [{ save: ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED'], list: 'ctstate RELATED,ESTABLISHED' }] });
    for (const svc of allServices(state)) {
      if (svc.spec.clusterIP === 'None') continue;
      for (const port of svc.spec.ports) {
        const name = servicePortName(svc, port);
        const eps = readyEndpoints(state, svc, port);
        if (eps.length === 0) {
          t.add('KUBE-SERVICES', 'REJECT', { tag: name, prot: proto(port), dst: `${svc.spec.clusterIP}/32`, comment: `${name} has no endpoints`, matches: [portMatch(port, port.port)], target_: reject });
          if (port.nodePort !== undefined && svc.spec.type !== 'ClusterIP') t.add('KUBE-EXTERNAL-SERVICES', 'REJECT', { tag: name, prot: proto(port), comment: `${name} has no endpoints`, matches: [addrtype('dst'), portMatch(port, port.nodePort)], target_: reject });
        } else if (port.nodePort !== undefined && svc.spec.type !== 'ClusterIP' && svc.spec.externalTrafficPolicy === 'Local' && !eps.some((e) => e.nodeName === node)) {
          t.add('KUBE-EXTERNAL-SERVICES', 'DROP', { tag: name, prot: proto(port), comment: `${name} has no local endpoints`, matches: [addrtype('dst'), portMatch(port, port.nodePort)] });
        }
      }
    }
  }
  return t.build('filter');
}

/**
 * The raw table: NodeLocal DNSCache (node-cache) skips conntrack for its link-local address
 * (the `nodelocaldns` dummy interface). Its rules stay while the interface does: a node-cache
 * run with -skipteardown, or killed, leaves both behind when its pod is gone.
 */
export function rawTable(state: ClusterState, node: string): Table {
  const t = new TableBuilder(state, node, ['PREROUTING', 'OUTPUT']);
  const local = state.nodes[node]?.host.links?.nodelocaldns?.split('/')[0];
  if (local !== undefined) {
    // node-cache passes `-p PROTO -d IP --dport 53 -j NOTRACK -m comment --comment …`: the comment follows the port match.
    const skip = { save: ['-m', 'comment', '--comment', '"NodeLocal DNS Cache: skip conntrack"'], list: '/* NodeLocal DNS Cache: skip conntrack */' };
    const port = (prot: string, dir: 'dport' | 'sport') => ({ save: ['-m', prot, `--${dir}`, '53'], list: `${prot} ${dir === 'dport' ? 'dpt' : 'spt'}:53` });
    for (const prot of ['tcp', 'udp'] as const) t.add('PREROUTING', 'NOTRACK', { tag: `pre-${prot}`, prot, dst: `${local}/32`, matches: [port(prot, 'dport'), skip] });
    for (const prot of ['tcp', 'udp'] as const) t.add('OUTPUT', 'NOTRACK', { tag: `out-src-${prot}`, prot, src: `${local}/32`, matches: [port(prot, 'sport'), skip] });
    for (const prot of ['tcp', 'udp'] as const) t.add('OUTPUT', 'NOTRACK', { tag: `out-dst-${prot}`, prot, dst: `${local}/32`, matches: [port(prot, 'dport'), skip] });
  }
  return t.build('raw');
}

/** How many rules in the table jump to `chain` (the "(N references)" of `iptables -L`). */
export function references(table: Table, chain: string): number {
  let n = 0;
  for (const c of table.chains) for (const r of c.rules) if (r.target === chain) n++;
  return n;
}
