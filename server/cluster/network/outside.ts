// A request from outside the cluster (the office network, the player's workstation) on a
// bare-metal cluster: a MetalLB address reaches the node whose speaker answers ARP for it
// (controllers/metallb.ts) and goes through that node's kube-proxy rules (with
// externalTrafficPolicy Local, only to endpoints on that node); a node's address reaches its
// NodePorts. An address on the nodes' network that no one answers ARP for is unreachable.
import { nodeAnsweringFor } from '../controllers/metallb.js';
import { nodeIP } from '../controllers/kubelet.js';
import type { ClusterState } from '../types.js';
import { trackConnection } from './conntrack.js';
import { externalAddress } from './dns.js';
import { parseUrl, serve, type HttpOptions, type HttpResponse, type HttpResult } from './http.js';
import { deliver } from './path.js';
import { nodeByIP } from './services.js';

/** The player's workstation on the office network (a documentation address). */
export const WORKSTATION_IP = '198.51.100.10';

/** Milliseconds the kernel waits for ARP replies (3 tries, 1 s apart) before EHOSTUNREACH. */
const ARP_GIVE_UP_MS = 3071;

const onNodeNetwork = (state: ClusterState, ip: string): boolean => state.network.provider === 'bare-metal' &&
  Object.values(state.nodes).some((n) => nodeIP(n).split('.').slice(0, 3).join('.') === ip.split('.').slice(0, 3).join('.'));

export function outsideRequest(state: ClusterState, src: string, url: string, opts: HttpOptions = {}): HttpResult {
  const u = parseUrl(url);
  if (!u) return { ok: false, code: 3, message: 'URL using bad/illegal format or missing URL' };
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(u.host) && !externalAddress(state, u.host)) return { ok: false, code: 6, message: `Could not resolve host: ${u.host}` };
  const ip = externalAddress(state, u.host) ?? u.host;
  // SYNs that reach a host and are dropped there; an address nobody answers ARP for fails sooner.
  const timeout: HttpResult = opts.maxTimeSeconds !== undefined
    ? { ok: false, code: 28, message: `Connection timed out after ${opts.maxTimeSeconds * 1000 + 1} milliseconds` }
    : { ok: false, code: 28, message: `Failed to connect to ${u.host} port ${u.port} after 130994 ms: Couldn't connect to server` };
  const unreachable: HttpResult = onNodeNetwork(state, ip) && (opts.maxTimeSeconds === undefined || opts.maxTimeSeconds * 1000 > ARP_GIVE_UP_MS)
    ? { ok: false, code: 7, message: `Failed to connect to ${u.host} port ${u.port} after ${ARP_GIVE_UP_MS} ms: Couldn't connect to server` }
    : timeout;
  const refused: HttpResult = { ok: false, code: 7, message: `Failed to connect to ${u.host} port ${u.port} after 2 ms: Couldn't connect to server` };
  const announced = nodeAnsweringFor(state, ip);
  // In a cloud VPC the nodes' private addresses are not reachable from outside.
  const node = announced ? state.nodes[announced.node] : state.network.provider === 'bare-metal' ? nodeByIP(state, ip) : undefined;
  if (!node) return unreachable;
  const svc = announced?.svc ?? Object.values(state.services).find((s) => s.spec.ports.some((p) => p.nodePort === u.port && p.protocol === 'TCP'));
  const port = announced ? svc?.spec.ports.find((p) => p.port === u.port && p.protocol === 'TCP') : svc?.spec.ports.find((p) => p.nodePort === u.port);
  if (!svc || !port) return announced ? timeout : refused;
  const name = node.metadata.name;
  const d = deliver(state, { node: name, src, svc, port, entry: announced ? 'loadbalancer' : 'nodeport', bytes: 420 });
  if (!d.ok) return d.error === 'refused' ? refused : timeout;
  trackConnection(state, { node: name, src, dst: ip, dport: u.port, endpoint: d.endpoint, seenSource: d.seenSource });
  const res: HttpResponse | 'refused' = serve(state, { pod: d.pod, port: d.endpoint.port, path: u.path, method: opts.method ?? 'GET', source: d.seenSource, userAgent: opts.userAgent ?? 'curl/8.5.0', host: opts.host ?? u.host });
  return res === 'refused' ? refused : { ok: true, response: { ...res, remoteIP: ip, remotePort: u.port } };
}
