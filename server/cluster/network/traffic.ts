// Synthetic clients from the internet (documentation-range IPs) hitting services through
// a NodePort or the cloud load balancer (cloud-lb.ts). Each request runs through the packet
// path, so the app's access log shows the address its pod saw: a node IP when kube-proxy
// masqueraded (externalTrafficPolicy: Cluster), the load balancer's own address when it
// proxies (Classic ELB over TCP, NLB to pod IPs without client IP preservation), the real
// client IP otherwise. Each client keeps what its latest request looked like to the app
// (`lastServed`), the outcome a scenario checks ("every client is served under its own address").
import { nodeIP } from '../controllers/kubelet.js';
import { nextFloat, nextUint32, pick } from '../rng.js';
import type { ClusterState, Node, Service, TrafficClient } from '../types.js';
import { podRoutable } from './cni-config.js';
import { addsForwardedFor, cloudLBKind, lbPrivateIPs, preservesClientIP } from './cloud-lb.js';
import { expireConntrack, trackConnection } from './conntrack.js';
import { serve } from './http.js';
import { deliver, lbHealthy, lbNodes } from './path.js';
import { podAnswers, podByIP, readyEndpoints } from './services.js';
import { serviceNameResolves } from './dns.js';

const REQUEST_BYTES = 420;

/** The node a NodePort client was configured against: stable per client address. */
function nodePortTarget(nodes: Node[], client: TrafficClient): Node | undefined {
  let h = 0;
  for (const ch of client.ip) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return nodes[h % Math.max(1, nodes.length)];
}

const path = (state: ClusterState, client: TrafficClient) => pick(state.rng, client.paths.length ? client.paths : ['/']);

/** An NLB in IP mode: straight to a ready pod, no NodePort and no kube-proxy on the way. Was it answered? */
function sendToPodIP(state: ClusterState, client: TrafficClient, svc: Service): boolean {
  const eps = svc.spec.ports.flatMap((p) => readyEndpoints(state, svc, p));
  if (eps.length === 0) return false;
  const ep = eps[nextUint32(state.rng) % eps.length]!;
  const pod = podByIP(state, ep.ip);
  if (!pod || !podAnswers(pod)) return false;
  const source = preservesClientIP(svc) ? client.ip : pick(state.rng, lbPrivateIPs(svc));
  if (serve(state, { pod, port: ep.port, path: path(state, client), method: 'GET', source, userAgent: client.userAgent }) === 'refused') return false;
  client.lastServed = { at: state.now, source };
  return true;
}

/** One request from outside through a NodePort or the load balancer: was it answered? */
function sendOne(state: ClusterState, client: TrafficClient): boolean {
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  if (!svc || svc.spec.type === 'ClusterIP') return false;
  const kind = client.via === 'loadbalancer' && svc.spec.type === 'LoadBalancer' ? cloudLBKind(svc) : undefined;
  if (kind === 'nlb-ip') return sendToPodIP(state, client, svc);
  const port = svc.spec.ports.find((p) => p.nodePort !== undefined && p.protocol === 'TCP');
  if (!port?.nodePort) return false;
  const nodes = lbNodes(state);
  let node: Node | undefined;
  if (client.via === 'loadbalancer') {
    // The cloud LB only sends to nodes whose health check passes.
    const healthy = nodes.filter((n) => lbHealthy(state, svc, n));
    if (healthy.length === 0) return false;
    node = pick(state.rng, healthy);
  } else {
    node = nodePortTarget(nodes, client);
  }
  if (!node) return false;
  // A Classic ELB opens its own connection to the node: the packet's source is the ELB.
  const src = kind === 'classic' ? pick(state.rng, lbPrivateIPs(svc)) : client.ip;
  const name = node.metadata.name;
  const d = deliver(state, { node: name, src, svc, port, entry: 'nodeport', bytes: REQUEST_BYTES });
  if (!d.ok) return false;
  trackConnection(state, { node: name, src, dst: nodeIP(node), dport: port.nodePort, endpoint: d.endpoint, seenSource: d.seenSource });
  const forwardedFor = kind === 'classic' && addsForwardedFor(svc) ? client.ip : undefined;
  const res = serve(state, { pod: d.pod, port: d.endpoint.port, path: path(state, client), method: 'GET', source: d.seenSource, userAgent: client.userAgent, ...(forwardedFor ? { forwardedFor } : {}) });
  if (res === 'refused') return false;
  client.lastServed = { at: state.now, source: d.seenSource, ...(forwardedFor ? { forwardedFor } : {}) };
  return true;
}

/**
 * A request from inside the cluster to the Service by its name: answered while the name
 * resolves through CoreDNS (dns.ts) and the `seq`-th request's endpoint (the endpoints in turn,
 * no random draw) is a pod that runs at an address the network routes. So a CoreDNS outage or
 * a broken endpoint costs in-cluster traffic as in a real cluster. Counted only (no log line),
 * so adding such a client changes nothing else a player sees.
 */
function answeredInside(state: ClusterState, client: TrafficClient, seq: number): boolean {
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  const port = svc?.spec.ports[0];
  const eps = svc && port ? readyEndpoints(state, svc, port) : [];
  if (eps.length === 0 || !serviceNameResolves(state, svc!)) return false;
  const pod = podByIP(state, eps[seq % eps.length]!.ip);
  return !pod || (podAnswers(pod) && podRoutable(state, pod));
}

/** Buckets of service health: 10 s each, the last hour kept. */
export const HEALTH_BUCKET_MS = 10_000;
const HEALTH_BUCKETS_KEPT = 360;

export const healthKey = (client: TrafficClient): string => `${client.service.namespace}/${client.service.name}|${client.ip}`;

function record(state: ClusterState, client: TrafficClient, served: number, failed: number): void {
  const health = (state.network.health ??= {});
  const buckets = (health[healthKey(client)] ??= []);
  const at = Math.floor(state.now / HEALTH_BUCKET_MS) * HEALTH_BUCKET_MS;
  let last = buckets.at(-1);
  if (!last || last.at !== at) {
    last = { at, served: 0, failed: 0 };
    buckets.push(last);
    if (buckets.length > HEALTH_BUCKETS_KEPT) buckets.shift();
  }
  last.served += served;
  last.failed += failed;
}

/** Synthetic client traffic for one simulation step of `ms`; every request's outcome is counted per client. */
export function tickTraffic(state: ClusterState, ms: number): void {
  expireConntrack(state);
  for (const client of state.network.traffic) {
    let n: number;
    if (client.via === 'cluster') {
      // Evenly spaced, no random draw: the requests due between the last step and now.
      const every = 60_000 / Math.max(client.requestsPerMinute, 1e-9);
      n = Math.floor(state.now / every) - Math.floor((state.now - ms) / every);
    } else {
      const expected = (client.requestsPerMinute * ms) / 60_000;
      n = Math.floor(expected);
      if (nextFloat(state.rng) < expected - n) n++;
    }
    let served = 0;
    const first = client.via === 'cluster' ? Math.floor((state.now - ms) / (60_000 / Math.max(client.requestsPerMinute, 1e-9))) : 0;
    for (let i = 0; i < n; i++) if (client.via === 'cluster' ? answeredInside(state, client, first + i) : sendOne(state, client)) served++;
    if (n > 0) record(state, client, served, n - served);
  }
}

/** The app saw this client's own address on its latest request (as the source, or in X-Forwarded-For). */
export const clientAddressSeen = (client: TrafficClient): boolean =>
  client.lastServed !== undefined && (client.lastServed.source === client.ip || client.lastServed.forwardedFor === client.ip);
