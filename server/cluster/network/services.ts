// What kube-proxy knows about a service port: its endpoints (from the Endpoints object,
// i.e. what the endpoints controller published — possibly stale), the chain names real
// kube-proxy derives from them, and whether kube-proxy has programmed a node at all.
import { createHash } from 'node:crypto';
import { nodeIP } from '../controllers/kubelet.js';
import { ipToInt } from '../ipam.js';
import type { ClusterState, Node, Pod, Service, ServicePort } from '../types.js';
import { podsWithIP } from './pod-lookup.js';

export { proxyProgrammed } from './pod-lookup.js';

export interface EndpointTarget {
  ip: string;
  port: number;
  nodeName?: string;
}

/** "ns/name:port" — kube-proxy's ServicePortName.String() (no ":port" for an unnamed port). */
export function servicePortName(svc: Service, port: ServicePort): string {
  const base = `${svc.metadata.namespace}/${svc.metadata.name}`;
  return port.name ? `${base}:${port.name}` : base;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy's portProtoHash: base32(sha256(s)) truncated to 16 characters. */
function chainHash(s: string): string {
  const bytes = createHash('sha256').update(s).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= 0xff;
    if (out.length >= 16) break;
  }
  return out;
}

export interface ServiceChains {
  svc: string;
  ext: string;
  svl: string;
  fw: string;
}

export function serviceChains(svc: Service, port: ServicePort): ServiceChains {
  const h = chainHash(servicePortName(svc, port) + port.protocol.toLowerCase());
  return { svc: `KUBE-SVC-${h}`, ext: `KUBE-EXT-${h}`, svl: `KUBE-SVL-${h}`, fw: `KUBE-FW-${h}` };
}

export function endpointChain(svc: Service, port: ServicePort, ep: EndpointTarget): string {
  return `KUBE-SEP-${chainHash(servicePortName(svc, port) + port.protocol.toLowerCase() + `${ep.ip}:${ep.port}`)}`;
}

/** Ready endpoints of one service port, sorted the way kube-proxy orders them (by "ip:port"). */
export function readyEndpoints(state: ClusterState, svc: Service, port: ServicePort): EndpointTarget[] {
  const eps = state.endpoints[`${svc.metadata.namespace}/${svc.metadata.name}`];
  if (!eps) return [];
  const out: EndpointTarget[] = [];
  for (const subset of eps.subsets) {
    const p = subset.ports.find((sp) => sp.protocol === port.protocol && (sp.name ?? '') === (port.name ?? '')) ??
      (subset.ports.length === 1 ? subset.ports[0] : undefined);
    if (!p) continue;
    for (const a of subset.addresses) out.push(a.nodeName ? { ip: a.ip, port: p.port, nodeName: a.nodeName } : { ip: a.ip, port: p.port });
  }
  if (out.length < 2) return out;
  // Every simulated request reads these: each key is built once, not at every comparison.
  const keyed = out.map((e) => ({ e, key: `${e.ip.split('.').map((o) => o.padStart(3, '0')).join('.')}:${e.port}` }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ e }) => e);
}

export function allServices(state: ClusterState): Service[] {
  return Object.keys(state.services).sort().map((k) => state.services[k]!);
}

/** The LoadBalancer Service whose load balancer address is `ip`. */
export function serviceByLoadBalancerIP(state: ClusterState, ip: string): Service | undefined {
  for (const key in state.services) {
    const svc = state.services[key]!;
    if (svc.spec.type === 'LoadBalancer' && svc.status.loadBalancer.ingress.some((i) => i.ip === ip)) return svc;
  }
  return undefined;
}

/** The service whose ClusterIP is `ip` (headless services have none). */
export function serviceByClusterIP(state: ClusterState, ip: string): Service | undefined {
  for (const key in state.services) {
    const svc = state.services[key]!;
    if (svc.spec.clusterIP === ip) return svc;
  }
  return undefined;
}

export function nodeByIP(state: ClusterState, ip: string): Node | undefined {
  for (const name in state.nodes) if (nodeIP(state.nodes[name]!) === ip) return state.nodes[name];
  return undefined;
}

/** The pod (not host-network) that owns a pod IP. */
export function podByIP(state: ClusterState, ip: string): Pod | undefined {
  return podsWithIP(state, ip).find((p) => !p.spec.hostNetwork && !p.metadata.deletionTimestamp);
}

/** A pod whose containers are running (something answers on its IP). */
export function podAnswers(pod: Pod | undefined): boolean {
  return !!pod && pod.status.containerStatuses.length > 0 && pod.status.containerStatuses.every((c) => c.state.kind === 'running');
}

/** The nodes whose address is on a VPC-style shared subnet (what the AWS CNI does not SNAT). */
export const VPC_CIDR = '10.0.0.0/16';


export function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = Number(bits);
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(base) & mask) >>> 0);
}
