// The kernel's connection tracking table as `conntrack -L` shows it: one entry per
// connection through a NAT rule, with the reply direction after DNAT/SNAT. Bounded, and
// entries expire like the kernel's timeouts (TIME_WAIT 120 s).
import { randomInt } from '../rng.js';
import type { ClusterState, ConntrackEntry } from '../types.js';
import type { EndpointTarget } from './services.js';

const MAX_ENTRIES = 2000;
const TIME_WAIT_MS = 120_000;

export interface TrackedConnection {
  node: string;
  src: string;
  dst: string;
  dport: number;
  endpoint: EndpointTarget;
  /** The source address after masquerade (the reply comes back to it). */
  seenSource: string;
  protocol?: 'tcp' | 'udp';
}

export function trackConnection(state: ClusterState, c: TrackedConnection): ConntrackEntry {
  const sport = randomInt(state.rng, 32768, 60999);
  const entry: ConntrackEntry = {
    protocol: c.protocol ?? 'tcp', src: c.src, sport, dst: c.dst, dport: c.dport,
    replySrc: c.endpoint.ip, replySport: c.endpoint.port, replyDst: c.seenSource, replyDport: c.seenSource === c.src ? sport : randomInt(state.rng, 1024, 65535),
    state: c.protocol === 'udp' ? '' : 'TIME_WAIT', expiresAt: state.now + (c.protocol === 'udp' ? 30_000 : TIME_WAIT_MS), node: c.node,
  };
  const table = state.network.conntrack;
  table.push(entry);
  if (table.length > MAX_ENTRIES) table.splice(0, table.length - MAX_ENTRIES);
  return entry;
}

/** Drop entries whose timeout has run out (they are kept oldest first). */
export function expireConntrack(state: ClusterState): void {
  const table = state.network.conntrack;
  let n = 0;
  while (n < table.length && table[n]!.expiresAt <= state.now) n++;
  if (n > 0) table.splice(0, n);
}
