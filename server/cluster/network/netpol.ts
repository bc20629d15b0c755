// NetworkPolicy (networking.k8s.io/v1) as the CNI enforces it on a new connection, per the
// API reference (kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/)
// and the concept page (kubernetes.io/docs/concepts/services-networking/network-policies/):
// - a policy selects pods of its own namespace by `podSelector` (empty: every pod there);
// - `policyTypes` left empty means Ingress, plus Egress when the policy has egress rules;
// - a pod selected by any policy of a direction is isolated in that direction, and then a
//   connection is allowed only if some rule of some such policy allows it (the union);
// - a connection needs both the source's egress and the destination's ingress allowed;
//   replies of an allowed connection always pass;
// - a rule allows when its ports match (none listed: every port) and one of its peers does
//   (none listed: every source / destination); a peer is a podSelector (pods of the
//   policy's namespace), a namespaceSelector (every pod of the namespaces it selects), both
//   (those pods in those namespaces), or an ipBlock (the CIDR minus its `except` blocks);
// - a port is a number (with `endPort`: a range), or a name the destination pod's
//   container port carries, for a protocol (default TCP);
// - host-network pods are never selected; what comes from a node is matched by address only.
// Flannel has no policy engine: on it policies are stored and nothing enforces them.
import { labelSelectorMatches } from '../disruption.js';
import type { ClusterState, JsonValue, Pod, StoredObject } from '../types.js';
import { jsonObject } from '../json.js';
import { inCIDR, podByIP } from './services.js';

/** One end of a connection: its address, and the pod behind it (none: a node or the outside). */
export interface Peer {
  ip: string;
  pod?: Pod;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

/** The CNI enforces policies (Calico, Cilium, the VPC CNI's policy agent); flannel does not. */
export function policiesEnforced(state: ClusterState): boolean {
  return state.network.cni.name !== 'flannel';
}

/** The policy's types as the apiserver defaults them (pkg/apis/networking/v1/defaults.go). */
export function policyTypes(spec: { [k: string]: JsonValue }): string[] {
  const given = list(spec.policyTypes).filter((t): t is string => typeof t === 'string');
  if (given.length > 0) return given;
  return list(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function policiesIn(state: ClusterState, namespace: string): StoredObject[] {
  const all = state.stored?.NetworkPolicy;
  if (!all) return [];
  const out: StoredObject[] = [];
  for (const key in all) if (all[key]!.metadata.namespace === namespace) out.push(all[key]!);
  return out;
}

/** The pod is subject to policies (a pod of the pod network, not the node's). */
const governed = (pod: Pod | undefined): pod is Pod => pod !== undefined && !pod.spec.hostNetwork;

/** Policies of the pod's namespace that select it for this direction. */
function isolating(state: ClusterState, pod: Pod, type: 'Ingress' | 'Egress'): { [k: string]: JsonValue }[] {
  const out: { [k: string]: JsonValue }[] = [];
  for (const p of policiesIn(state, pod.metadata.namespace ?? 'default')) {
    const spec = jsonObject(p.fields.spec);
    if (!policyTypes(spec).includes(type)) continue;
    if (labelSelectorMatches(spec.podSelector ?? {}, pod.metadata.labels)) out.push(spec);
  }
  return out;
}

function peerMatches(state: ClusterState, policyNamespace: string, peer: { [k: string]: JsonValue }, other: Peer): boolean {
  const block = peer.ipBlock === undefined ? undefined : jsonObject(peer.ipBlock);
  if (block) {
    if (typeof block.cidr !== 'string' || !inCIDR(other.ip, block.cidr)) return false;
    return !list(block.except).some((e) => typeof e === 'string' && inCIDR(other.ip, e));
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined) return false;
  if (!governed(other.pod)) return false;
  const ns = other.pod.metadata.namespace ?? 'default';
  if (peer.namespaceSelector !== undefined) {
    if (!labelSelectorMatches(peer.namespaceSelector, state.namespaces[ns]?.metadata.labels ?? {})) return false;
  } else if (ns !== policyNamespace) return false;
  return peer.podSelector === undefined || labelSelectorMatches(peer.podSelector, other.pod.metadata.labels);
}

/** A named port: the destination pod's container port of that name and protocol. */
function namedPort(pod: Pod | undefined, name: string, protocol: Protocol): number | undefined {
  for (const c of pod?.spec.containers ?? []) {
    const p = c.ports.find((cp) => cp.name === name && cp.protocol === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

function portMatches(ports: JsonValue[], port: number, protocol: Protocol, destination: Pod | undefined): boolean {
  if (ports.length === 0) return true;
  return ports.some((raw) => {
    const p = jsonObject(raw);
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return typeof p.endPort === 'number' ? port >= p.port && port <= p.endPort : port === p.port;
    return typeof p.port === 'string' && namedPort(destination, p.port, protocol) === port;
  });
}

/** Some rule of the isolating policies lets `other` through (`peersKey`: `from` for ingress, `to` for egress). */
function ruleAllows(state: ClusterState, policies: { [k: string]: JsonValue }[], namespace: string, rulesKey: 'ingress' | 'egress', other: Peer, port: number, protocol: Protocol, destination: Pod | undefined): boolean {
  const peersKey = rulesKey === 'ingress' ? 'from' : 'to';
  return policies.some((spec) => list(spec[rulesKey]).some((raw) => {
    const rule = jsonObject(raw);
    if (!portMatches(list(rule.ports), port, protocol, destination)) return false;
    const peers = list(rule[peersKey]);
    return peers.length === 0 || peers.some((peer) => peerMatches(state, namespace, jsonObject(peer), other));
  }));
}

/** The source's egress policies let it open this connection. */
export function egressAllowed(state: ClusterState, src: Peer, dst: Peer, port: number, protocol: Protocol): boolean {
  if (!policiesEnforced(state) || !governed(src.pod)) return true;
  const policies = isolating(state, src.pod, 'Egress');
  return policies.length === 0 || ruleAllows(state, policies, src.pod.metadata.namespace ?? 'default', 'egress', dst, port, protocol, dst.pod);
}

/** The destination's ingress policies let this connection in. */
export function ingressAllowed(state: ClusterState, src: Peer, dst: Peer, port: number, protocol: Protocol): boolean {
  if (!policiesEnforced(state) || !governed(dst.pod)) return true;
  const policies = isolating(state, dst.pod, 'Ingress');
  return policies.length === 0 || ruleAllows(state, policies, dst.pod.metadata.namespace ?? 'default', 'ingress', src, port, protocol, dst.pod);
}

/** A new connection from `src` to `dst:port` passes both ends' policies. */
export function connectionAllowed(state: ClusterState, src: Peer, dst: Peer, port: number, protocol: Protocol): boolean {
  return egressAllowed(state, src, dst, port, protocol) && ingressAllowed(state, src, dst, port, protocol);
}

/** The peer at an address: the pod that holds it, if any. */
export function peerAt(state: ClusterState, ip: string): Peer {
  const pod = podByIP(state, ip);
  return pod ? { ip, pod } : { ip };
}

/**
 * What the apiserver's defaulting writes into a NetworkPolicy's spec (kubernetes
 * pkg/apis/networking/v1/defaults.go): each port's protocol TCP, and the policy types. The
 * podSelector is a struct, not a pointer: it is always there, `{}` when not given.
 */
export function defaultNetworkPolicySpec(spec: { [k: string]: JsonValue }): void {
  spec.podSelector ??= {};
  for (const rules of [spec.ingress, spec.egress]) {
    for (const rule of list(rules)) for (const port of list(jsonObject(rule).ports)) {
      if (port !== null && typeof port === 'object' && !Array.isArray(port)) port.protocol ??= 'TCP';
    }
  }
  if (list(spec.policyTypes).length === 0) spec.policyTypes = policyTypes(spec);
}
