// Name resolution as a pod sees it: its resolv.conf (search list, ndots:5, nameserver),
// the kube-dns service through kube-proxy to a CoreDNS pod, CoreDNS's Corefile (the
// kubernetes plugin for cluster names, forward for the rest), and upstream resolvers.
import { appendLog } from '../logs.js';
import { nextFloat, randomInt } from '../rng.js';
import type { ClusterState, Pod, Service } from '../types.js';
import { nodeNameservers, forwardUpstreams, loopsBack } from './coredns.js';
import { clientSideLoss, forwardDelay, happens, kubeletClusterDNS, nodeLocalListening, overloadLoss, RESOLVER_TIMEOUT_MS, upstreamLoss } from './dns-delay.js';
import { blockFor, corefileText, inZone, parseCorefile, plugin, type ServerBlock } from './corefile.js';
import { connectionAllowed, peerAt, type Peer } from './netpol.js';
import { deliver } from './path.js';
import { podAnswers, podByIP, readyEndpoints, serviceByClusterIP } from './services.js';

export type DnsType = 'A' | 'AAAA' | 'SRV' | 'PTR';

export interface DnsRecord {
  name: string;
  type: DnsType;
  ttl: number;
  /** IP for A, target name for PTR, "priority weight port target" for SRV. */
  data: string;
}

export type DnsOutcome =
  | { kind: 'answer'; server: string; name: string; records: DnsRecord[]; delayMs?: number }
  | { kind: 'nxdomain' | 'servfail' | 'nodata'; server: string; name: string; delayMs?: number }
  | { kind: 'timeout'; server: string };

/** Resolvers of the simulated outside world (cloud VPC resolvers and public ones). */
const PUBLIC_RESOLVERS = new Set(['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '208.67.222.222']);

function upstreamWorks(state: ClusterState, ip: string): boolean {
  if (PUBLIC_RESOLVERS.has(ip)) return true;
  for (const n in state.nodes) {
    const file = state.nodes[n]!.host.files['/run/systemd/resolve/resolv.conf'] ?? '';
    if (file.split('\n').some((l) => l.trim() === `nameserver ${ip}`)) return true;
  }
  return false;
}

const fqdnOf = (name: string) => (name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`);

/** The simulated internet's address for a name typed by a player, only if it has one (`nslookup constructor` answered Object). */
export function externalAddress(state: ClusterState, name: string): string | undefined {
  return Object.hasOwn(state.network.externalDNS, name) ? state.network.externalDNS[name] : undefined;
}

/** What the simulated internet answers for a name (its authoritative servers). */
export function externalAnswer(state: ClusterState, server: string, fqdn: string, type: DnsType): DnsOutcome {
  const bare = fqdn.slice(0, -1);
  const ip = externalAddress(state, bare);
  if (ip === undefined) {
    const m = /^ip-(\d+)-(\d+)-(\d+)-(\d+)\.ec2\.internal$/.exec(bare);
    if (!m) return { kind: 'nxdomain', server, name: fqdn };
    return type === 'A' ? { kind: 'answer', server, name: fqdn, records: [{ name: fqdn, type: 'A', ttl: 60, data: m.slice(1).join('.') }] } : { kind: 'nodata', server, name: fqdn };
  }
  if (type !== 'A') return { kind: 'nodata', server, name: fqdn };
  return { kind: 'answer', server, name: fqdn, records: [{ name: fqdn, type: 'A', ttl: 300, data: ip }] };
}

const reverse = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;

/** The kubernetes plugin's view of a name inside the cluster zone; undefined = no such record. */
function clusterRecords(state: ClusterState, fqdn: string, type: DnsType): DnsRecord[] | 'nodata' | undefined {
  const domain = `${state.network.clusterDomain}.`;
  if (fqdn.endsWith('.in-addr.arpa.')) {
    const ip = fqdn.slice(0, -'.in-addr.arpa.'.length).split('.').reverse().join('.');
    const svc = serviceByClusterIP(state, ip);
    if (svc) return [{ name: fqdn, type: 'PTR', ttl: 30, data: `${svc.metadata.name}.${svc.metadata.namespace}.svc.${domain}` }];
    for (const key of Object.keys(state.services).sort()) {
      const s = state.services[key]!;
      if (s.spec.ports.some((p) => readyEndpoints(state, s, p).some((e) => e.ip === ip))) {
        return [{ name: fqdn, type: 'PTR', ttl: 30, data: `${ip.replaceAll('.', '-')}.${s.metadata.name}.${s.metadata.namespace}.svc.${domain}` }];
      }
    }
    return undefined;
  }
  const labels = fqdn.slice(0, -domain.length - 1).split('.');
  if (labels.at(-1) === 'pod' && labels.length === 3) {
    const m = /^(\d+)-(\d+)-(\d+)-(\d+)$/.exec(labels[0]!);
    if (!m || !state.namespaces[labels[1]!]) return undefined;
    return type === 'A' ? [{ name: fqdn, type: 'A', ttl: 30, data: m.slice(1).join('.') }] : 'nodata';
  }
  if (labels.at(-1) !== 'svc') return undefined;
  const rest = labels.slice(0, -1);
  if (rest.length === 1) return state.namespaces[rest[0]!] ? 'nodata' : undefined;
  if (type === 'SRV' && rest.length === 4 && rest[0]!.startsWith('_') && rest[1]!.startsWith('_')) {
    const svc = state.services[`${rest[3]}/${rest[2]}`];
    const port = svc?.spec.ports.find((p) => `_${p.name}` === rest[0] && `_${p.protocol.toLowerCase()}` === rest[1]);
    if (!svc || !port) return undefined;
    return [{ name: fqdn, type: 'SRV', ttl: 30, data: `0 100 ${port.port} ${svc.metadata.name}.${svc.metadata.namespace}.svc.${domain}` }];
  }
  if (rest.length !== 2) return undefined;
  const svc = state.services[`${rest[1]}/${rest[0]}`];
  if (!svc) return undefined;
  if (type !== 'A') return 'nodata';
  const ips = svc.spec.clusterIP === 'None' ? headlessIPs(state, svc) : [svc.spec.clusterIP];
  if (ips.length === 0) return undefined;
  return ips.map((ip) => ({ name: fqdn, type: 'A' as const, ttl: 30, data: ip }));
}

function headlessIPs(state: ClusterState, svc: Service): string[] {
  const ips = new Set<string>();
  for (const port of svc.spec.ports) for (const e of readyEndpoints(state, svc, port)) ips.add(e.ip);
  return [...ips];
}

/** Kubernetes plugin zones: its arguments, or the server block's zones. */
function kubernetesZones(block: ServerBlock): string[] {
  const k = plugin(block, 'kubernetes');
  if (!k) return [];
  return k.args.length > 0 ? k.args.map(fqdnOf) : block.zones.map((z) => z.zone);
}

function fallsThrough(block: ServerBlock, fqdn: string): boolean {
  const ft = plugin(block, 'kubernetes')?.block.find((d) => d.name === 'fallthrough');
  if (!ft) return false;
  return ft.args.length === 0 || ft.args.some((z) => inZone(fqdn, fqdnOf(z)));
}

/** CoreDNS (this pod) answering one query per its Corefile. */
/**
 * What the Corefile's kubernetes plugin answers for `fqdn`, or the block to go on with
 * (forward) when it does not answer for it; no block: SERVFAIL.
 */
function kubernetesAnswer(state: ClusterState, server: string, fqdn: string, type: DnsType): DnsOutcome | { block: ServerBlock } {
  const text = corefileText(state);
  const parsed = text === undefined ? undefined : parseCorefile(text);
  const block = parsed?.ok ? blockFor(parsed.blocks, fqdn) : undefined;
  if (!block) return { kind: 'servfail', server, name: fqdn };
  const kzone = kubernetesZones(block).find((z) => inZone(fqdn, z));
  if (kzone) {
    const recs = clusterRecords(state, fqdn, type);
    if (recs === 'nodata') return { kind: 'nodata', server, name: fqdn };
    if (recs) return { kind: 'answer', server, name: fqdn, records: recs };
    if (!fallsThrough(block, fqdn)) return { kind: 'nxdomain', server, name: fqdn };
  }
  return { block };
}

/**
 * Does a pod's lookup of the Service's name get its address now? The cluster DNS Service
 * has a ready CoreDNS pod that answers, and its Corefile's kubernetes plugin knows the name.
 * Asked for the counted in-cluster clients (traffic.ts), so it draws no random number and
 * writes no log line; the path through kube-proxy to CoreDNS is taken as working, save for
 * the network policies between the client (`from`) and the CoreDNS pods.
 */
export function serviceNameResolves(state: ClusterState, svc: Service, from?: Peer): boolean {
  const dns = serviceByClusterIP(state, state.network.dnsServiceIP);
  const port = dns?.spec.ports.find((p) => p.port === 53 && p.protocol === 'UDP');
  if (!dns || !port) return false;
  const serving = readyEndpoints(state, dns, port).some((ep) => {
    const pod = podByIP(state, ep.ip);
    return pod !== undefined && podAnswers(pod) && isCoreDNS(pod) && (!from || connectionAllowed(state, from, { ip: ep.ip, pod }, ep.port, 'UDP'));
  });
  if (!serving) return false;
  const fqdn = `${svc.metadata.name}.${svc.metadata.namespace}.svc.${state.network.clusterDomain}.`;
  const out = kubernetesAnswer(state, state.network.dnsServiceIP, fqdn, 'A');
  return 'kind' in out && out.kind === 'answer';
}

function corednsAnswer(state: ClusterState, server: string, coredns: Pod, fqdn: string, type: DnsType): DnsOutcome {
  const known = kubernetesAnswer(state, server, fqdn, type);
  if ('kind' in known) return known;
  const { block } = known;
  const fwd = plugin(block, 'forward');
  const from = fwd?.args[0];
  if (!fwd || from === undefined || !inZone(fqdn, fqdnOf(from))) return { kind: 'servfail', server, name: fqdn };
  const upstreams = forwardUpstreams(state, coredns, block);
  const up = upstreams.find((ip) => upstreamWorks(state, ip)) ?? upstreams[0];
  if (up !== undefined && upstreamWorks(state, up) && !loopsBack(state, up)) {
    // The node's packets to the VPC resolver may be dropped over its ENI's allowance.
    const forwarded = upstreamLoss(state, coredns) > 0 ? forwardDelay(state, coredns) : { ms: 0, servfail: false };
    if (!forwarded.servfail) return { ...externalAnswer(state, server, fqdn, type), ...(forwarded.ms > 0 ? { delayMs: forwarded.ms } : {}) };
    logForwardError(state, coredns, fqdn, type, up);
    return { kind: 'servfail', server, name: fqdn, delayMs: forwarded.ms };
  }
  logForwardError(state, coredns, fqdn, type, up);
  return { kind: 'servfail', server, name: fqdn };
}

/**
 * Every 10 s, CoreDNS pods whose node is over the VPC resolver's allowance log the forward
 * timeouts of the (unsimulated) rest of the cluster's queries for outside names.
 */
export function logUpstreamTimeouts(state: ClusterState, dt: number): void {
  if (Math.floor((state.now - dt) / 10_000) === Math.floor(state.now / 10_000)) return;
  const names = Object.keys(state.network.externalDNS).sort();
  if (names.length === 0) return;
  for (const key of Object.keys(state.pods).sort()) {
    const pod = state.pods[key]!;
    if (!isCoreDNS(pod) || !podAnswers(pod)) continue;
    const loss = upstreamLoss(state, pod);
    if (loss === 0) continue;
    const upstream = nodeNameservers(state, pod.spec.nodeName)[0];
    const lines = loss ** 3 * 40; // queries losing all three tries in 10 s, from this replica's share
    for (let i = 0; i < Math.min(5, Math.max(1, Math.round(lines))); i++) {
      const name = names[randomInt(state.rng, 0, names.length - 1)]!;
      logForwardError(state, pod, `${name}.`, randomInt(state.rng, 0, 1) === 0 ? 'A' : 'AAAA', upstream);
    }
  }
}

/** The errors plugin's line when an upstream does not answer: `%d %s %s: %v` of rcode (2, SERVFAIL), name, type, error. */
function logForwardError(state: ClusterState, coredns: Pod, fqdn: string, type: DnsType, upstream: string | undefined): void {
  const cs = coredns.status.containerStatuses[0];
  if (!cs) return;
  const sport = randomInt(state.rng, 32768, 60999);
  const text = upstream === undefined
    ? `[ERROR] plugin/errors: 2 ${fqdn} ${type}: no upstream host`
    : `[ERROR] plugin/errors: 2 ${fqdn} ${type}: read udp ${coredns.status.podIP}:${sport}->${upstream}:53: i/o timeout`;
  appendLog(cs.logs, { at: state.now, text });
}

/** Node the query leaves from (host-network pods and pods share the node's netfilter). */
function clientNode(pod: Pod): string {
  return pod.spec.nodeName ?? '';
}

/** DNS queries kept for tcpdump (the latest). */
const MAX_DNS_QUERIES = 256;

/** Send one DNS query for `fqdn` to `server` from the pod; the query is kept for tcpdump. */
export function queryServer(state: ClusterState, fromPod: Pod, server: string, fqdn: string, type: DnsType): DnsOutcome {
  const out = sendQuery(state, fromPod, server, fqdn, type);
  const kept = (state.network.dnsQueries ??= []);
  kept.push({
    at: state.now, node: clientNode(fromPod), src: fromPod.status.podIP ?? '', server, name: fqdn, type,
    rcode: out.kind === 'answer' || out.kind === 'nodata' ? 'NOERROR' : out.kind === 'timeout' ? 'timeout' : out.kind === 'nxdomain' ? 'NXDOMAIN' : 'SERVFAIL',
    answers: out.kind === 'answer' ? out.records.map((r) => `${r.type} ${r.data}`) : [],
    authoritative: out.kind !== 'timeout' && authoritativeName(state, out.name),
  });
  if (kept.length > MAX_DNS_QUERIES) kept.splice(0, kept.length - MAX_DNS_QUERIES);
  return out;
}

/** CoreDNS answers the cluster's own names (and reverse zones) itself. */
export function authoritativeName(state: ClusterState, name: string): boolean {
  return name.endsWith(`.${state.network.clusterDomain}.`) || name.endsWith('.in-addr.arpa.');
}

function sendQuery(state: ClusterState, fromPod: Pod, server: string, fqdn: string, type: DnsType): DnsOutcome {
  const svc = serviceByClusterIP(state, server);
  if (svc) {
    const port = svc.spec.ports.find((p) => p.port === 53 && p.protocol === 'UDP');
    if (!port) return { kind: 'timeout', server };
    const d = deliver(state, { node: clientNode(fromPod), src: fromPod.status.podIP ?? '', svc, port, entry: 'cluster-ip', bytes: 80 });
    if (!d.ok || !isCoreDNS(d.pod)) return { kind: 'timeout', server };
    return corednsAnswer(state, server, d.pod, fqdn, type);
  }
  // A query a policy drops (a default-deny egress) is never answered: the resolver times out.
  if (!connectionAllowed(state, { ip: fromPod.status.podIP ?? '', pod: fromPod }, peerAt(state, server), 53, 'UDP')) return { kind: 'timeout', server };
  const pod = podByIP(state, server);
  if (pod) return podAnswers(pod) && isCoreDNS(pod) ? corednsAnswer(state, server, pod, fqdn, type) : { kind: 'timeout', server };
  // NodeLocal DNSCache answers on its link-local address and asks CoreDNS through kube-dns.
  if (server.startsWith('169.254.') && server !== '169.254.169.253') {
    if (!nodeLocalListening(state, fromPod.spec.nodeName)) return { kind: 'timeout', server };
    const via = queryServer(state, fromPod, state.network.dnsServiceIP, fqdn, type);
    return via.kind === 'timeout' ? { kind: 'servfail', server, name: fqdn } : { ...via, server };
  }
  // A local stub (127.0.0.53) only exists in the node's own network namespace.
  if (server.startsWith('127.') && fromPod.spec.hostNetwork) return externalAnswer(state, server, fqdn, type);
  return upstreamWorks(state, server) ? externalAnswer(state, server, fqdn, type) : { kind: 'timeout', server };
}

function isCoreDNS(pod: Pod): boolean {
  return Object.values(pod.behavior).some((b) => b.role === 'coredns');
}

export interface PodResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
  /** Other resolver options, as the options line lists them (`single-request-reopen`, `timeout:2`). */
  options: string[];
}

/**
 * The resolv.conf the kubelet writes for a pod, per its dnsPolicy: the kubelet's clusterDNS
 * (its config file) for ClusterFirst pods, then the pod's dnsConfig merged in (at most 3
 * nameservers; an option of the same name replaces the default ndots:5).
 */
export function podResolvConf(state: ClusterState, pod: Pod): PodResolvConf {
  const host = pod.spec.nodeName ? state.nodes[pod.spec.nodeName]?.host : undefined;
  const hostFile = host?.files['/run/systemd/resolve/resolv.conf'] ?? '';
  const hostSearch = /^search (.+)$/m.exec(hostFile)?.[1]?.trim().split(/\s+/) ?? [];
  const clusterFirst = pod.spec.dnsPolicy === 'ClusterFirstWithHostNet' || (pod.spec.dnsPolicy === 'ClusterFirst' && !pod.spec.hostNetwork);
  const d = state.network.clusterDomain;
  const ns = pod.metadata.namespace ?? 'default';
  const clusterDNS = kubeletClusterDNS(host?.files['/var/lib/kubelet/config.yaml']);
  const rc: PodResolvConf = clusterFirst
    ? { nameservers: clusterDNS.length > 0 ? clusterDNS : [state.network.dnsServiceIP], search: [`${ns}.svc.${d}`, `svc.${d}`, d, ...hostSearch], ndots: 5, options: [] }
    : { nameservers: nodeNameservers(state, pod.spec.nodeName), search: hostSearch, ndots: 1, options: [] };
  const extra = pod.spec.dnsConfig;
  if (extra) {
    rc.nameservers = [...new Set([...rc.nameservers, ...(extra.nameservers ?? [])])].slice(0, 3);
    rc.search = [...new Set([...rc.search, ...(extra.searches ?? [])])];
    for (const o of extra.options ?? []) {
      if (o.name === 'ndots') rc.ndots = Math.min(15, Math.max(0, Number(o.value) || 0));
      else rc.options = [...rc.options.filter((x) => x.split(':')[0] !== o.name), o.value === undefined ? o.name : `${o.name}:${o.value}`];
    }
  }
  return rc;
}

export function renderResolvConf(state: ClusterState, pod: Pod): string {
  const rc = podResolvConf(state, pod);
  const lines = [...(rc.search.length ? [`search ${rc.search.join(' ')}`] : []), ...rc.nameservers.map((n) => `nameserver ${n}`)];
  const options = [...(rc.ndots !== 1 || pod.spec.dnsConfig?.options?.some((o) => o.name === 'ndots') ? [`ndots:${rc.ndots}`] : []), ...rc.options];
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export interface ResolveOptions {
  /** Ask this server instead of the resolv.conf nameserver (`nslookup NAME SERVER`). */
  server?: string;
  /** The resolver sends A and AAAA together from one socket (glibc's getaddrinfo, musl, busybox nslookup). */
  parallel?: boolean;
}

/** One query sent: the outcome, how long it took, and what the client saw of servers that failed it. */
export interface Sent {
  outcome: DnsOutcome;
  ms: number;
  /** Per failed try: the server and `timed out` or `connection refused`. */
  failures: { server: string; error: 'timed out' | 'connection refused' }[];
  /** How long the query that got an answer took (dig's Query time). */
  answerMs: number;
}

/**
 * Ask `servers` in turn for one name, like a stub resolver: a lost query costs the 5 s
 * timeout, a refused one (ICMP port unreachable) moves on at once; `rounds` passes over the
 * list (glibc's attempts:2). A query that gets through takes what the server took.
 */
export function askServers(state: ClusterState, pod: Pod, servers: string[], fqdn: string, type: DnsType, parallel: boolean, rounds: number): Sent {
  let ms = 0;
  const failures: Sent['failures'] = [];
  for (let round = 0; round < rounds; round++) {
    for (const server of servers) {
      if (happens(state, clientSideLoss(state, pod, server, parallel))) {
        ms += RESOLVER_TIMEOUT_MS;
        failures.push({ server, error: 'timed out' });
        continue;
      }
      const out = queryServer(state, pod, server, fqdn, type);
      if (out.kind === 'timeout') {
        // Nothing listens on a local address: the kernel refuses at once; elsewhere nothing answers.
        const refused = server.startsWith('169.254.') && !nodeLocalListening(state, pod.spec.nodeName);
        ms += refused ? 0 : RESOLVER_TIMEOUT_MS;
        failures.push({ server, error: refused ? 'connection refused' : 'timed out' });
        continue;
      }
      // A throttled CoreDNS answers late.
      const answerMs = (out.delayMs ?? 0) + (overloadLoss(state) > 0 ? 20 + Math.floor(nextFloat(state.rng) * 300) : 0);
      return { outcome: out, ms: ms + answerMs, failures, answerMs };
    }
  }
  return { outcome: { kind: 'timeout', server: servers[0] ?? '' }, ms, failures, answerMs: 0 };
}

/** The names a stub resolver tries for `name`, in order (search list vs ndots). */
export function candidateNames(rc: PodResolvConf, name: string): string[] {
  if (name.endsWith('.')) return [name.toLowerCase()];
  const searched = rc.search.map((s) => `${name}.${s}.`.toLowerCase());
  const absolute = `${name.toLowerCase()}.`;
  const dots = name.split('.').length - 1;
  return dots >= rc.ndots ? [absolute, ...searched] : [...searched, absolute];
}

/**
 * Resolve a name from inside a pod like its libc would: each candidate in turn until one
 * answers; a timeout ends the search. PTR takes an IP address as `name`. `ms`: how long it took.
 */
export function lookupName(state: ClusterState, fromPod: Pod, name: string, type: DnsType = 'A', opts: ResolveOptions = {}): { outcome: DnsOutcome; ms: number } {
  const rc = podResolvConf(state, fromPod);
  const servers = opts.server !== undefined ? [opts.server] : rc.nameservers;
  const server = servers[0];
  if (server === undefined) return { outcome: { kind: 'timeout', server: '' }, ms: 0 };
  const ask = (fqdn: string, t: DnsType) => askServers(state, fromPod, servers, fqdn, t, opts.parallel ?? false, 2);
  if (type === 'PTR') {
    const sent = ask(/^\d+\.\d+\.\d+\.\d+$/.test(name) ? reverse(name) : fqdnOf(name), 'PTR');
    return { outcome: sent.outcome, ms: sent.ms };
  }
  let ms = 0;
  let last: DnsOutcome = { kind: 'nxdomain', server, name: fqdnOf(name) };
  for (const candidate of candidateNames(rc, name)) {
    const sent = ask(candidate, type);
    ms += sent.ms;
    const out = sent.outcome;
    if (out.kind === 'answer' || out.kind === 'timeout') return { outcome: out, ms };
    if (out.kind === 'nodata') last = out;
    else if (last.kind !== 'nodata') last = { ...out, name: fqdnOf(name) };
  }
  return { outcome: last, ms };
}

/**
 * The queries a lookup of `name` sends, without sending them: the candidates of the search
 * list up to the one that exists (the cluster's names) or the absolute name, each to the
 * first nameserver; `external` when CoreDNS must forward it. Pure: remediation checks read it.
 */
export function lookupQueries(state: ClusterState, pod: Pod, name: string): { server: string; external: boolean }[] {
  const rc = podResolvConf(state, pod);
  const server = rc.nameservers[0] ?? state.network.dnsServiceIP;
  const domain = `.${state.network.clusterDomain}.`;
  const absolute = fqdnOf(name);
  const out: { server: string; external: boolean }[] = [];
  for (const candidate of candidateNames(rc, name)) {
    const inCluster = candidate.endsWith(domain);
    out.push({ server, external: !inCluster });
    if (candidate === absolute || (inCluster && clusterRecords(state, candidate, 'A') !== undefined)) break;
  }
  return out;
}

export function resolveName(state: ClusterState, fromPod: Pod, name: string, type: DnsType = 'A', opts: ResolveOptions = {}): DnsOutcome {
  return lookupName(state, fromPod, name, type, opts).outcome;
}
