// Why a pod's lookup sometimes takes 5 seconds: one of its queries is lost and the stub
// resolver (glibc, musl, busybox) waits out its 5 s timeout before it asks again. Where a
// query is lost is read from the world, never from a flag:
//  - conntrack insertion race: a pod's resolver sends A and AAAA at once from one UDP
//    socket to the kube-dns ClusterIP; on kernels before 5.x the second packet's conntrack
//    entry clashes with the first and is dropped (`conntrack -S`: insert_failed). Resolver
//    options single-request(-reopen) or use-vc avoid it; NodeLocal DNSCache's NOTRACK too.
//  - a link-local nameserver (NodeLocal DNSCache, 169.254.20.10) with no node-local-dns pod
//    on the node: the kernel's "port unreachable" is rate-limited, so most queries get no
//    answer at all and wait out the timeout before the next nameserver.
//  - CoreDNS overloaded: the cluster's query rate above what its ready replicas' CPU serves.
//  - the VPC resolver's 1024 packets per second per ENI: CoreDNS forwards names outside the
//    cluster from the nodes it runs on; past the allowance the ENA drops them
//    (`ethtool -S`: linklocal_allowance_exceeded) and CoreDNS's forward retries every 2 s.
// Chances are plain functions of state; a lookup draws from the room's RNG only when one is
// above zero, so worlds without these faults draw nothing.
import { parseCpu } from '../quantity.js';
import { nextFloat } from '../rng.js';
import type { ClusterState, NodeDnsCounters, Pod } from '../types.js';
import { corefileText, parseCorefile, plugin } from './corefile.js';
import { hasRole, podsOnNode } from './pod-lookup.js';
import { podAnswers } from './services.js';

/** glibc's RES_TIMEOUT (and busybox nslookup's): what a lost query costs. */
export const RESOLVER_TIMEOUT_MS = 5000;
/** CoreDNS forward: a read times out after 2 s and is tried again, until the 5 s deadline. */
export const FORWARD_READ_TIMEOUT_MS = 2000;
/** Chance that a pod's parallel A/AAAA pair clashes in conntrack (under the drill's load). */
const RACE_PER_PAIR = 0.06;
/** Share of "port unreachable" replies the kernel's ICMP rate limit suppresses under load. */
const ICMP_SUPPRESSED = 0.7;
/** Queries per second one CoreDNS core serves. */
const QPS_PER_CORE = 20_000;
/** An unlimited CoreDNS replica is bounded by the cores it may use. */
const UNLIMITED_CORES = 2;
/** AWS: packets per second per ENI to link-local services (the VPC resolver). */
export const LINKLOCAL_PPS = 1024;
/** Share of forwarded names CoreDNS's cache plugin still sends upstream. */
const CACHE_MISS = 0.1;
/** How often a lost query is retried inside CoreDNS's forward deadline. */
const FORWARD_TRIES = 3;

const isCoreDNS = (pod: Pod) => hasRole(pod, 'coredns');

/** The kernel's major version from nodeInfo.kernelVersion ("4.14.343-261.564.amzn2.x86_64" → 4). */
export function kernelMajor(state: ClusterState, nodeName: string | undefined): number {
  const v = (nodeName ? state.nodes[nodeName]?.status.nodeInfo.kernelVersion : undefined) ?? '';
  return Number(/^(\d+)\./.exec(v)?.[1] ?? 6);
}

/** Resolver options that stop A and AAAA leaving together on one socket. */
export function sendsSerially(pod: Pod): boolean {
  return (pod.spec.dnsConfig?.options ?? []).some((o) => ['single-request', 'single-request-reopen', 'use-vc'].includes(o.name));
}

const linkLocal = (ip: string) => ip.startsWith('169.254.');

/** A node-local-dns pod runs on the node and listens on its link-local address. */
export function nodeLocalListening(state: ClusterState, nodeName: string | undefined): boolean {
  if (!nodeName) return false;
  return podsOnNode(state, nodeName).some((p) => hasRole(p, 'node-local-dns') && podAnswers(p) && !p.metadata.deletionTimestamp);
}

function readyCoreDNS(state: ClusterState): Pod[] {
  const out: Pod[] = [];
  for (const key in state.pods) {
    const p = state.pods[key]!;
    if (isCoreDNS(p) && podAnswers(p) && !p.metadata.deletionTimestamp) out.push(p);
  }
  return out;
}

/** Queries per second the ready CoreDNS replicas serve before they drop (CPU limit × per-core rate). */
export function corednsCapacity(state: ClusterState): number {
  let qps = 0;
  for (const pod of readyCoreDNS(state)) {
    const limit = pod.spec.containers.find((c) => pod.behavior[c.name]?.role === 'coredns')?.resources.limits.cpu;
    qps += ((limit ?? UNLIMITED_CORES * 1000) / 1000) * QPS_PER_CORE;
  }
  return qps;
}

const load = (state: ClusterState) => state.network.dnsLoad ?? { qps: 0, externalShare: 0 };

/** Chance a query reaching CoreDNS is dropped because it has more to answer than CPU. */
export function overloadLoss(state: ClusterState): number {
  const { qps } = load(state);
  if (qps === 0) return 0;
  return Math.max(0, 1 - corednsCapacity(state) / qps);
}

function corefileCaches(state: ClusterState): boolean {
  const text = corefileText(state);
  const parsed = text === undefined ? undefined : parseCorefile(text);
  return !!parsed?.ok && parsed.blocks.some((b) => b.zones.some((z) => z.zone === '.') && plugin(b, 'cache') !== undefined);
}

/** Packets per second CoreDNS sends the VPC resolver from each node it runs on. */
export function upstreamPpsPerNode(state: ClusterState): Map<string, number> {
  const { qps, externalShare } = load(state);
  const perPod = readyCoreDNS(state);
  const out = new Map<string, number>();
  if (perPod.length === 0) return out;
  const total = qps * externalShare * (corefileCaches(state) ? CACHE_MISS : 1);
  for (const pod of perPod) {
    const node = pod.spec.nodeName ?? '';
    out.set(node, (out.get(node) ?? 0) + total / perPod.length);
  }
  return out;
}

/** Chance one forwarded query from this CoreDNS pod is dropped at its node's ENI. */
export function upstreamLoss(state: ClusterState, coredns: Pod): number {
  const pps = upstreamPpsPerNode(state).get(coredns.spec.nodeName ?? '') ?? 0;
  return pps <= LINKLOCAL_PPS ? 0 : 1 - LINKLOCAL_PPS / pps;
}

/** Chance a pod's query (an A/AAAA pair when `parallel`) is lost before CoreDNS gets it. */
export function clientSideLoss(state: ClusterState, pod: Pod, server: string, parallel: boolean): number {
  const node = pod.spec.nodeName;
  // node-local-dns asks CoreDNS in turn (its cache is not modelled).
  if (linkLocal(server)) return nodeLocalListening(state, node) ? overloadLoss(state) : ICMP_SUPPRESSED;
  let kept = 1 - overloadLoss(state);
  // The race needs DNAT through conntrack: a query to the kube-dns ClusterIP.
  if (server === state.network.dnsServiceIP && parallel && !sendsSerially(pod) && kernelMajor(state, node) < 5) kept *= 1 - RACE_PER_PAIR;
  return 1 - kept;
}

/** Draw an event of `chance` from the room's RNG; nothing is drawn for an impossible one. */
export function happens(state: ClusterState, chance: number): boolean {
  if (chance <= 0) return false;
  return nextFloat(state.rng) < chance;
}

/**
 * How long CoreDNS's forward plugin takes to get an upstream answer from `coredns`'s node:
 * each try lost costs a 2 s read timeout; all tries lost → SERVFAIL at the 5 s deadline.
 */
export function forwardDelay(state: ClusterState, coredns: Pod): { ms: number; servfail: boolean } {
  const loss = upstreamLoss(state, coredns);
  let ms = 0;
  for (let i = 0; i < FORWARD_TRIES; i++) {
    if (!happens(state, loss)) return { ms: ms + 1, servfail: false };
    ms += FORWARD_READ_TIMEOUT_MS;
  }
  return { ms: RESOLVER_TIMEOUT_MS, servfail: true };
}

/**
 * Would a lookup of `name` from this pod (glibc: A and AAAA together, the search list per
 * ndots) wait out a timeout more often than one in ten? Read without drawing: the outcome
 * a remediation check looks at.
 */
export function lookupDelayChance(state: ClusterState, pod: Pod, queries: { server: string; external: boolean }[]): number {
  let ok = 1;
  for (const q of queries) {
    ok *= 1 - clientSideLoss(state, pod, q.server, true);
    if (q.external) {
      const pods = readyCoreDNS(state);
      const worst = pods.reduce((m, p) => Math.max(m, upstreamLoss(state, p)), 0);
      ok *= 1 - worst ** 2; // two lost forward tries: the answer comes after the 5 s client timeout
    }
  }
  return 1 - ok;
}

// --- counters the traffic moves (tick) ---

const COUNTERS_ZERO: NodeDnsCounters = { found: 0, invalid: 0, insertFailed: 0, clashResolve: 0, drop: 0, searchRestart: 0, linklocalExceeded: 0 };

/** Per-second increments of a node's counters from the cluster's DNS traffic as it is now. */
function rates(state: ClusterState, nodeName: string, ppsByNode: Map<string, number>): NodeDnsCounters {
  const nodes = Object.keys(state.nodes).length || 1;
  const { qps } = load(state);
  const share = qps / nodes;
  // Pods on the node that still race: ClusterFirst, A/AAAA together, through the ClusterIP.
  const pods = podsOnNode(state, nodeName).filter((p) => !p.spec.hostNetwork && p.spec.dnsPolicy === 'ClusterFirst' && podAnswers(p));
  const racy = pods.filter((p) => !sendsSerially(p) && !linkLocal(firstNameserver(state, p))).length;
  const clashes = pods.length > 0 ? (share / 2) * RACE_PER_PAIR * (racy / pods.length) : 0;
  const old = kernelMajor(state, nodeName) < 5;
  const pps = ppsByNode.get(nodeName) ?? 0;
  return {
    found: share * 0.02, invalid: share * 0.001, insertFailed: old ? clashes : 0, clashResolve: old ? 0 : clashes, drop: 0, searchRestart: share * 0.0005,
    linklocalExceeded: Math.max(0, pps - LINKLOCAL_PPS),
  };
}

function firstNameserver(state: ClusterState, pod: Pod): string {
  const file = pod.spec.nodeName ? state.nodes[pod.spec.nodeName]?.host.files['/var/lib/kubelet/config.yaml'] : undefined;
  return kubeletClusterDNS(file)[0] ?? state.network.dnsServiceIP;
}

/** The kubelet config's clusterDNS list (its YAML as kubeadm writes it). */
export function kubeletClusterDNS(configYaml: string | undefined): string[] {
  const m = /^clusterDNS:\n((?:- .*\n?)+)/m.exec(configYaml ?? '');
  return m ? m[1]!.split('\n').map((l) => l.replace(/^- /, '').trim()).filter((l) => l !== '') : [];
}

/** CoreDNS replicas burn CPU with the queries they answer, up to their limit (what `kubectl top` shows). */
function corednsCpu(state: ClusterState): void {
  const pods = readyCoreDNS(state);
  const perPod = load(state).qps / Math.max(1, pods.length);
  for (const pod of pods) {
    const c = pod.spec.containers.find((x) => pod.behavior[x.name]?.role === 'coredns');
    if (!c) continue;
    const want = 3 + Math.round((perPod / QPS_PER_CORE) * 1000);
    pod.behavior[c.name]!.cpuUse = Math.min(c.resources.limits.cpu ?? UNLIMITED_CORES * 1000, want);
  }
}

/** Advance every node's DNS counters by `dt` ms; the first time, by its uptime (they count since boot). */
export function tickDnsCounters(state: ClusterState, dt: number): void {
  if (!state.network.dnsLoad || state.network.dnsLoad.qps === 0) return;
  corednsCpu(state);
  const all = (state.network.dnsCounters ??= {});
  const pps = upstreamPpsPerNode(state);
  for (const name in state.nodes) {
    const node = state.nodes[name]!;
    let c = all[name];
    let seconds = dt / 1000;
    if (!c) {
      c = all[name] = { ...COUNTERS_ZERO };
      const boot = node.host.syslog[0]?.at ?? node.metadata.creationTimestamp;
      seconds = Math.max(0, state.now - boot) / 1000;
    }
    const r = rates(state, name, pps);
    for (const k of Object.keys(r) as (keyof NodeDnsCounters)[]) c[k] += r[k] * seconds;
  }
}
