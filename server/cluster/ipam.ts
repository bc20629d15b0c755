// Address allocation: service ClusterIPs from the service CIDR, NodePorts, pod CIDRs.
import { randomInt } from './rng.js';
import type { ClusterState } from './types.js';

export function ipToInt(ip: string): number {
  const o = ip.split('.').map(Number);
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function cidrRange(cidr: string): { first: number; size: number } {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return { first: ipToInt(base!) & ~(size - 1) >>> 0, size };
}

/** The n-th address of a CIDR (1 = the first usable one, e.g. 10.96.0.1 for the kubernetes service). */
export function cidrAddress(cidr: string, n: number): string {
  return intToIp(cidrRange(cidr).first + n);
}

/** A free ClusterIP, chosen at random like the real allocator. */
export function allocateServiceIP(state: ClusterState): string {
  const used = new Set(Object.values(state.services).map((s) => s.spec.clusterIP));
  used.add(state.network.dnsServiceIP);
  const { first, size } = cidrRange(state.network.serviceCIDR);
  for (;;) {
    const ip = intToIp(first + randomInt(state.rng, 11, Math.min(size, 65_536) - 2));
    if (!used.has(ip)) {
      state.network.nextServiceIP++;
      return ip;
    }
  }
}

/** A free NodePort in 30000-32767, chosen at random like the real allocator. */
export function allocateNodePort(state: ClusterState): number {
  const used = new Set<number>();
  for (const s of Object.values(state.services)) for (const p of s.spec.ports) if (p.nodePort) used.add(p.nodePort);
  for (;;) {
    const port = randomInt(state.rng, 30000, 32767);
    if (!used.has(port)) {
      state.network.nextNodePort++;
      return port;
    }
  }
}
