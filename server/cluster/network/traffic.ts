// Synthetic clients from the internet (documentation-range IPs) hitting services through
// a NodePort or the cloud load balancer. Each request runs through the packet path, so
// the app's access log shows the address its pod saw: a node IP when kube-proxy
// masqueraded (externalTrafficPolicy: Cluster), the real client IP under Local.
import { nodeIP } from '../controllers/kubelet.js';
import { nextFloat, pick } from '../rng.js';
import type { ClusterState, Node, TrafficClient } from '../types.js';
import { expireConntrack, trackConnection } from './conntrack.js';
import { serve } from './http.js';
import { deliver, lbHealthy, lbNodes } from './path.js';

const REQUEST_BYTES = 420;

/** The node a NodePort client was configured against: stable per client address. */
function nodePortTarget(nodes: Node[], client: TrafficClient): Node | undefined {
  let h = 0;
  for (const ch of client.ip) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return nodes[h % Math.max(1, nodes.length)];
}

function sendOne(state: ClusterState, client: TrafficClient): void {
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  const port = svc?.spec.ports.find((p) => p.nodePort !== undefined && p.protocol === 'TCP');
  if (!svc || !port?.nodePort || svc.spec.type === 'ClusterIP') return;
  const nodes = lbNodes(state);
  let node: Node | undefined;
  if (client.via === 'loadbalancer') {
    // The cloud LB only sends to nodes whose health check passes.
    const healthy = nodes.filter((n) => lbHealthy(state, svc, n));
    if (healthy.length === 0) return;
    node = pick(state.rng, healthy);
  } else {
    node = nodePortTarget(nodes, client);
  }
  if (!node) return;
  const name = node.metadata.name;
  const d = deliver(state, { node: name, src: client.ip, svc, port, entry: 'nodeport', bytes: REQUEST_BYTES });
  if (!d.ok) return;
  trackConnection(state, { node: name, src: client.ip, dst: nodeIP(node), dport: port.nodePort, endpoint: d.endpoint, seenSource: d.seenSource });
  serve(state, { pod: d.pod, port: d.endpoint.port, path: pick(state.rng, client.paths.length ? client.paths : ['/']), method: 'GET', source: d.seenSource, userAgent: client.userAgent });
}

/** Synthetic client traffic for one simulation step of `ms`. */
export function tickTraffic(state: ClusterState, ms: number): void {
  expireConntrack(state);
  for (const client of state.network.traffic) {
    const expected = (client.requestsPerMinute * ms) / 60_000;
    let n = Math.floor(expected);
    if (nextFloat(state.rng) < expected - n) n++;
    for (let i = 0; i < n; i++) sendOne(state, client);
  }
}
