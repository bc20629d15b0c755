// What a CoreDNS container does at start-up: its banner, and whether it dies — on a
// Corefile it cannot parse, or (with the `loop` plugin) when `forward` sends queries back
// to itself, e.g. `forward . /etc/resolv.conf` on a node whose resolv.conf names a local
// stub resolver (127.0.0.53). That loop is the classic CoreDNS CrashLoopBackOff.
import { createHash } from 'node:crypto';
import { nextUint32, randomInt } from '../rng.js';
import type { ClusterState, Pod } from '../types.js';
import { corefileText, forwardTarget, parseCorefile, plugin, type ServerBlock } from './corefile.js';
import { hasRole, podsWithIP } from './pod-lookup.js';

export const COREDNS_VERSION_LINES = ['CoreDNS-1.11.1', 'linux/amd64, go1.20.7, ae2bbc2'];

/** The nameservers in the resolv.conf the kubelet gives a pod with dnsPolicy: Default. */
export function nodeNameservers(state: ClusterState, nodeName: string | undefined): string[] {
  return (nodeName ? state.nodes[nodeName]?.host.resolvConfNameservers : undefined) ?? [];
}

/**
 * Where the `forward` plugin of a server block sends queries from this CoreDNS pod:
 * explicit addresses, or the nameservers of the pod's own /etc/resolv.conf.
 */
export function forwardUpstreams(state: ClusterState, pod: Pod | undefined, block: ServerBlock): string[] {
  const fwd = plugin(block, 'forward');
  if (!fwd) return [];
  const out: string[] = [];
  for (const to of fwd.args.slice(1)) {
    const target = forwardTarget(to);
    if (target) out.push(target.ip);
    else if (to.startsWith('/')) {
      // CoreDNS runs with dnsPolicy: Default → the node's resolv.conf; ClusterFirst would point at itself.
      const policy = pod?.spec.dnsPolicy ?? 'Default';
      out.push(...(policy === 'Default' ? nodeNameservers(state, pod?.spec.nodeName) : [state.network.dnsServiceIP]));
    }
  }
  return out;
}

/** An upstream that is CoreDNS itself: its own loopback (a local stub), the kube-dns VIP, or a CoreDNS pod. */
export function loopsBack(state: ClusterState, ip: string): boolean {
  if (ip.startsWith('127.') || ip === state.network.dnsServiceIP) return true;
  return podsWithIP(state, ip).some((p) => hasRole(p, 'coredns'));
}

function uint64(state: ClusterState): string {
  return ((BigInt(nextUint32(state.rng)) << 32n) | BigInt(nextUint32(state.rng))).toString();
}

/** CoreDNS prints the SHA512 of the configuration it loaded (plugin/reload). */
function configHash(text: string): string {
  return createHash('sha512').update(text).digest('hex');
}

const LOOP_DETECT_MS = 2000;

export function corednsStartup(state: ClusterState, pod: Pod): { logs: string[]; crash?: { afterMs: number; exitCode: number; logs: string[] } } {
  const text = corefileText(state);
  if (text === undefined) {
    const err = 'open /etc/coredns/Corefile: no such file or directory';
    return { logs: [], crash: { afterMs: 200, exitCode: 1, logs: [err] } };
  }
  const parsed = parseCorefile(text);
  if (!parsed.ok) return { logs: [], crash: { afterMs: 200, exitCode: 1, logs: [parsed.error] } };
  const banner = parsed.blocks.flatMap((b) => b.zones.map((z) => `${z.zone}:${z.port}`));
  const logs = [...new Set(banner), `[INFO] plugin/reload: Running configuration SHA512 = ${configHash(text)}`, ...COREDNS_VERSION_LINES];
  for (const block of parsed.blocks) {
    if (!plugin(block, 'loop')) continue;
    if (!forwardUpstreams(state, pod, block).some((ip) => loopsBack(state, ip))) continue;
    const zone = block.zones[0]?.zone ?? '.';
    const port = randomInt(state.rng, 32768, 60999);
    const query = `HINFO ${uint64(state)}.${uint64(state)}.${zone === '.' ? '' : zone}`;
    const fatal = `[FATAL] plugin/loop: Loop (127.0.0.1:${port} -> :53) detected for zone "${zone}", see https://coredns.io/plugins/loop#troubleshooting. Query: "${query}"`;
    return { logs, crash: { afterMs: LOOP_DETECT_MS, exitCode: 1, logs: [fatal] } };
  }
  return { logs };
}
