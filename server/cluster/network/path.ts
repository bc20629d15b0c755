// The packet path through kube-proxy's NAT rules: which endpoint a connection reaches,
// which source address the endpoint sees (masquerade or not), and which iptables rules it
// hit on the way (their counters are what `iptables -t nat -L -v` shows).
import { nodeIP } from '../controllers/kubelet.js';
import { nextUint32 } from '../rng.js';
import { podRoutable } from './cni-config.js';
import { egressAllowed, ingressAllowed, peerAt } from './netpol.js';
import type { ClusterState, Node, Pod, Service, ServicePort } from '../types.js';
import {
  endpointChain, inCIDR, podAnswers, podByIP, proxyProgrammed, readyEndpoints, serviceChains, type EndpointTarget,
} from './services.js';

export type Delivery =
  | { ok: true; endpoint: EndpointTarget; pod: Pod; seenSource: string; node: string }
  | { ok: false; error: 'timeout' | 'refused' };

/** Add one packet's worth to a rule's counters on a node. */
export function hit(state: ClusterState, node: string, rule: string, bytes: number): void {
  const counters = (state.network.counters ??= {});
  const c = (counters[`${node}|${rule}`] ??= [0, 0]);
  c[0] += 1;
  c[1] += bytes;
}

export function counterOf(state: ClusterState, node: string, rule: string): [number, number] {
  return state.network.counters?.[`${node}|${rule}`] ?? [0, 0];
}

function choose(state: ClusterState, svc: Service, eps: EndpointTarget[], clientIP: string): EndpointTarget {
  if (svc.spec.sessionAffinity === 'ClientIP') {
    let h = 0;
    for (const ch of clientIP) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return eps[h % eps.length]!;
  }
  return eps[nextUint32(state.rng) % eps.length]!;
}

export interface PacketIn {
  /** Node whose netfilter handles the packet first. */
  node: string;
  src: string;
  svc: Service;
  port: ServicePort;
  /** Entered through the service's ClusterIP, or from outside via NodePort / load balancer. */
  entry: 'cluster-ip' | 'nodeport' | 'loadbalancer';
  bytes: number;
}

/** Run one new connection through the nat table of `node` and on to the endpoint pod. */
export function deliver(state: ClusterState, p: PacketIn): Delivery {
  if (!proxyProgrammed(state, p.node)) return { ok: false, error: 'timeout' };
  const chains = serviceChains(p.svc, p.port);
  const fromPods = inCIDR(p.src, state.network.clusterCIDR);
  const all = readyEndpoints(state, p.svc, p.port);
  const h = (rule: string) => hit(state, p.node, rule, p.bytes);
  h('PREROUTING>KUBE-SERVICES');
  // kube-proxy REJECTs (filter table) connections to a service without endpoints.
  if (all.length === 0) return { ok: false, error: 'refused' };
  let masq = false;
  let candidates = all;
  if (p.entry === 'cluster-ip') {
    h(`KUBE-SERVICES>${chains.svc}`);
    if (!fromPods) { h(`${chains.svc}>KUBE-MARK-MASQ`); masq = true; }
  } else {
    h(p.entry === 'nodeport' ? 'KUBE-SERVICES>KUBE-NODEPORTS' : `KUBE-SERVICES>${chains.ext}#lb`);
    if (p.entry === 'nodeport') h(`KUBE-NODEPORTS>${chains.ext}`);
    if (p.svc.spec.externalTrafficPolicy === 'Local' && fromPods) {
      h(`${chains.ext}>${chains.svc}#pod`);
    } else if (p.svc.spec.externalTrafficPolicy === 'Local') {
      // Only endpoints on this node; the client address survives.
      h(`${chains.ext}>${chains.svl}`);
      candidates = all.filter((e) => e.nodeName === p.node);
      if (candidates.length === 0) return { ok: false, error: 'timeout' };
    } else {
      h(`${chains.ext}>KUBE-MARK-MASQ`);
      h(`${chains.ext}>${chains.svc}`);
      masq = true;
    }
  }
  if (masq) h('KUBE-MARK-MASQ>MARK');
  const ep = choose(state, p.svc, candidates, p.src);
  const sep = endpointChain(p.svc, p.port, ep);
  h(`${candidates === all ? chains.svc : chains.svl}>${sep}`);
  if (ep.ip === p.src) { h(`${sep}>KUBE-MARK-MASQ`); masq = true; } // hairpin
  h(`${sep}>DNAT`);
  h('POSTROUTING>KUBE-POSTROUTING');
  if (masq) {
    h('KUBE-POSTROUTING>MARK#clear');
    h('KUBE-POSTROUTING>MASQUERADE');
  } else h('KUBE-POSTROUTING>RETURN');
  const pod = podByIP(state, ep.ip);
  // A stale endpoint (pod gone or not running), or an address no route leads to, swallows the packets.
  if (!pod || !podAnswers(pod) || !podRoutable(state, pod)) return { ok: false, error: 'timeout' };
  const node = state.nodes[p.node];
  const seenSource = masq && node ? nodeIP(node) : p.src;
  // Policies are enforced after the DNAT, on the endpoint pod and its port: the source's
  // egress as the client pod, the endpoint's ingress as the address it sees. A denied SYN is dropped.
  const client = peerAt(state, p.src);
  const dst = { ip: ep.ip, pod };
  const seen = seenSource === p.src ? client : peerAt(state, seenSource);
  if (!egressAllowed(state, client, dst, ep.port, p.port.protocol) || !ingressAllowed(state, seen, dst, ep.port, p.port.protocol)) return { ok: false, error: 'timeout' };
  return { ok: true, endpoint: ep, pod, seenSource, node: p.node };
}

/** Worker nodes a cloud load balancer registers (kubeadm excludes control-plane nodes). */
export function lbNodes(state: ClusterState): Node[] {
  return Object.keys(state.nodes).sort().map((n) => state.nodes[n]!)
    .filter((n) => !('node.kubernetes.io/exclude-from-external-load-balancers' in n.metadata.labels) && !('node-role.kubernetes.io/control-plane' in n.metadata.labels));
}

/** The load balancer's health check (healthCheckNodePort) passes on this node. */
export function lbHealthy(state: ClusterState, svc: Service, node: Node): boolean {
  const ready = node.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';
  if (!ready || !proxyProgrammed(state, node.metadata.name)) return false;
  if (svc.spec.externalTrafficPolicy !== 'Local') return true;
  return svc.spec.ports.some((port) => readyEndpoints(state, svc, port).some((e) => e.nodeName === node.metadata.name));
}
