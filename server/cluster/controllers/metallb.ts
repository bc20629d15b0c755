// MetalLB v0.13 on a bare-metal cluster: the controller gives each Service of type
// LoadBalancer an address from the IPAddressPools (events IPAllocated / AllocationFailed, as
// controller/service.go records them), and in layer 2 one speaker answers ARP for it: the
// node MetalLB's hash picks among the nodes whose speaker runs (with externalTrafficPolicy
// Local, only nodes with a ready endpoint of the Service), when an L2Advertisement covers
// the pool (event nodeAssigned). Nothing runs without pools, so other clusters pay nothing.
import { mutateObject, objectKey } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { intToIp, ipToInt } from '../ipam.js';
import { appendLog, wallClock } from '../logs.js';
import { readyEndpoints } from '../network/services.js';
import type { ClusterState, JsonValue, Pod, Service, StoredObject } from '../types.js';
import { isPodReady, type TickContext } from './context.js';

/** How often a Service left without an address is tried again (the controller's resync). */
const RETRY_MS = 300_000;
/** Addresses looked at per pass: a /8 in a pool must not cost a tick millions of steps. */
const MAX_ADDRESSES_SCANNED = 4096;

type Role = 'metallb-controller' | 'metallb-speaker' | 'ingress-nginx';

/** Ready pods running a container of this role (an add-on's own pods). */
export function podsOfRole(state: ClusterState, role: Role): Pod[] {
  const out: Pod[] = [];
  for (const key in state.pods) {
    const pod = state.pods[key]!;
    if (pod.status.phase === 'Running' && isPodReady(pod) && pod.metadata.creationTimestamp <= state.now && Object.values(pod.behavior).some((b) => b.role === role)) out.push(pod);
  }
  return out;
}

const pools = (state: ClusterState): StoredObject[] =>
  Object.keys(state.stored?.['IPAddressPool'] ?? {}).sort().map((k) => state.stored!['IPAddressPool']![k]!);

const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const spec = (o: StoredObject): { [k: string]: JsonValue } => {
  const s = o.fields['spec'];
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? s : {};
};

/** A pool entry as [first, last] addresses: `a.b.c.d-e.f.g.h` or a CIDR. */
function addressRange(entry: string): [number, number] | undefined {
  const dash = /^(\d+\.\d+\.\d+\.\d+)\s*-\s*(\d+\.\d+\.\d+\.\d+)$/.exec(entry.trim());
  if (dash) return [ipToInt(dash[1]!), ipToInt(dash[2]!)];
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(entry.trim());
  if (!cidr || Number(cidr[2]) > 32) return undefined;
  const size = 2 ** (32 - Number(cidr[2]));
  const first = Math.floor(ipToInt(cidr[1]!) / size) * size;
  return [first, first + size - 1];
}

/** Every pool's address ranges, read once per pass. */
type PoolRange = { pool: StoredObject; first: number; last: number };
const poolRanges = (state: ClusterState): PoolRange[] =>
  pools(state).flatMap((pool) => strings(spec(pool)['addresses']).flatMap((e) => { const r = addressRange(e); return r ? [{ pool, first: r[0], last: r[1] }] : []; }));

/** The pool an address belongs to, if any. */
function poolOf(ranges: PoolRange[], ip: string): StoredObject | undefined {
  const n = ipToInt(ip);
  return ranges.find((r) => n >= r.first && n <= r.last)?.pool;
}

const lbAddress = (svc: Service): string | undefined => svc.status.loadBalancer.ingress.find((i) => i.ip)?.ip;

/** Up to `count` free addresses of the auto-assign pools, in pool and address order (one bounded walk per pass). */
function freeAddresses(ranges: PoolRange[], used: Set<string>, count: number): string[] {
  const out: string[] = [];
  const taken = new Set(used);
  let scanned = 0;
  for (const { pool, first, last } of ranges) {
    if (spec(pool)['autoAssign'] === false) continue;
    for (let n = first; n <= last; n++) {
      if (out.length >= count || ++scanned > MAX_ADDRESSES_SCANNED) return out;
      const ip = intToIp(n);
      if (taken.has(ip)) continue;
      taken.add(ip);
      out.push(ip);
    }
  }
  return out;
}

/** A line in MetalLB's go-kit JSON log format (keys sorted, as json.Marshal writes a map). */
function metallbLog(state: ClusterState, pod: Pod, fields: Record<string, string>): void {
  const cs = pod.status.containerStatuses[0];
  if (!cs) return;
  const all: Record<string, string> = { ...fields, ts: wallClock(state, state.now).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  const text = JSON.stringify(Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]!])));
  appendLog(cs.logs, { at: state.now, text });
}

/** Does an L2Advertisement announce addresses of this pool? (no pool list = every pool) */
function advertised(state: ClusterState, pool: StoredObject): boolean {
  return Object.values(state.stored?.['L2Advertisement'] ?? {}).some((adv) => {
    const named = strings(spec(adv)['ipAddressPools']);
    return named.length === 0 || named.includes(pool.metadata.name);
  });
}

/** MetalLB's layer-2 election: every speaker sorts the eligible nodes by sha256(node#ip); a cheap stable hash stands in. */
function electionKey(node: string, ip: string): number {
  let h = 2166136261;
  for (const ch of `${node}#${ip}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** The node whose speaker answers ARP for the Service's address, if any. */
function announcingNode(state: ClusterState, svc: Service, speakers: Pod[], ranges: PoolRange[]): string | undefined {
  const ip = lbAddress(svc);
  const pool = ip ? poolOf(ranges, ip) : undefined;
  if (!ip || !pool || !advertised(state, pool)) return undefined;
  let nodes = [...new Set(speakers.map((p) => p.spec.nodeName!).filter((n) => state.nodes[n]))];
  if (svc.spec.externalTrafficPolicy === 'Local') {
    const local = new Set(svc.spec.ports.flatMap((p) => readyEndpoints(state, svc, p)).map((e) => e.nodeName));
    nodes = nodes.filter((n) => local.has(n));
  }
  return nodes.sort((a, b) => electionKey(a, ip) - electionKey(b, ip) || (a < b ? -1 : 1))[0];
}

function loadBalancers(state: ClusterState): [string, Service][] {
  return Object.keys(state.services).sort()
    .map((k) => [k, state.services[k]!] as [string, Service])
    // Replaying the past (addonHistory), a Service created later does not exist yet.
    .filter(([, s]) => s.spec.type === 'LoadBalancer' && s.metadata.creationTimestamp <= state.now)
    .sort(([ka, a], [kb, b]) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || (ka < kb ? -1 : 1));
}

export function metallbController(ctx: TickContext): void {
  const { state } = ctx;
  if (state.network.provider !== 'bare-metal' || pools(state).length === 0) return;
  const [controller] = podsOfRole(state, 'metallb-controller');
  const services = loadBalancers(state);
  const ranges = poolRanges(state);
  if (controller) {
    const pending = services.filter(([, s]) => !lbAddress(s));
    const used = new Set(services.map(([, s]) => lbAddress(s)).filter((ip): ip is string => ip !== undefined));
    const free = pending.length > 0 ? freeAddresses(ranges, used, pending.length) : [];
    // A failure is reported when the controller first sees the Service, then at each resync.
    const retry = Math.floor(state.now / RETRY_MS) !== Math.floor((state.now - ctx.dt) / RETRY_MS);
    for (const [key, svc] of pending) {
      const ip = free.shift();
      if (ip) {
        mutateObject(state, 'Service', key, (s) => { s.status.loadBalancer.ingress = [{ ip }]; });
        metallbLog(state, controller, { caller: 'service.go:168', event: 'ipAllocated', ip: `[${JSON.stringify(ip)}]`, msg: 'IP address assigned by controller' });
        recordEvent(state, refOf('Service', svc), 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`, 'metallb-controller');
      } else if (retry || svc.metadata.creationTimestamp >= state.now - ctx.dt) {
        metallbLog(state, controller, { caller: 'service.go:160', error: 'no available IPs', level: 'error', msg: 'IP allocation failed', op: 'allocateIPs' });
        recordEvent(state, refOf('Service', svc), 'Warning', 'AllocationFailed', `Failed to allocate IP for "${key}": no available IPs`, 'metallb-controller');
      }
    }
  }
  const speakers = podsOfRole(state, 'metallb-speaker');
  const announced = (state.network.announced ??= {});
  for (const [key, svc] of services) {
    const node = announcingNode(state, svc, speakers, ranges);
    if (node === announced[key]) continue;
    if (node === undefined) { delete announced[key]; continue; }
    announced[key] = node;
    recordEvent(state, refOf('Service', svc), 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "layer2"`, 'metallb-speaker');
  }
  for (const key in announced) if (!state.services[key]) delete announced[key];
}

/** The node that answers ARP for a MetalLB address (a client outside sends there), if one does. */
export function nodeAnsweringFor(state: ClusterState, ip: string): { node: string; svc: Service } | undefined {
  for (const key in state.network.announced ?? {}) {
    const svc = state.services[key];
    if (svc && lbAddress(svc) === ip) return { node: state.network.announced![key]!, svc };
  }
  return undefined;
}

export const serviceKey = (svc: Service): string => objectKey(svc.metadata.namespace, svc.metadata.name);
