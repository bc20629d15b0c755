// Synthetic clients from the internet (documentation-range IPs) hitting services through
// a NodePort or the cloud load balancer (cloud-lb.ts). Each request runs through the packet
// path, so the app's access log shows the address its pod saw: a node IP when kube-proxy
// masqueraded (externalTrafficPolicy: Cluster), the load balancer's own address when it
// proxies (Classic ELB over TCP, NLB to pod IPs without client IP preservation), the real
// client IP otherwise. Each client keeps what its latest request looked like to the app
// (`lastServed`), the outcome a scenario checks ("every client is served under its own address").
import { nodeIP } from '../controllers/kubelet.js';
import { nextFloat, nextUint32, pick } from '../rng.js';
import { appendLog, wallClock } from '../logs.js';
import { matchesSelector } from '../objects.js';
import type { ClusterState, Node, Pod, Service, TrafficClient } from '../types.js';
import { podRoutable } from './cni-config.js';
import { addsForwardedFor, cloudLBKind, lbPrivateIPs, preservesClientIP } from './cloud-lb.js';
import { expireConntrack, trackConnection } from './conntrack.js';
import { listensOn, serve } from './http.js';
import { connectionAllowed, type Peer } from './netpol.js';
import { outsideRequest } from './outside.js';
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

/** Bare metal: a browser on the office network asks for the Service's MetalLB address (outside.ts); an error page is no answer. */
function sendFromOutside(state: ClusterState, client: TrafficClient, svc: Service): boolean {
  const ip = svc.status.loadBalancer.ingress.find((i) => i.ip)?.ip;
  const port = svc.spec.ports.find((p) => p.protocol === 'TCP');
  if (!ip || !port) return false;
  const res = outsideRequest(state, client.ip, `http://${ip}:${port.port}${path(state, client)}`, { userAgent: client.userAgent, ...(client.host ? { host: client.host } : {}) });
  if (!res.ok || res.response.status >= 400) return false;
  client.lastServed = { at: state.now, source: client.ip };
  return true;
}

/** One request from outside through a NodePort or the load balancer: was it answered? */
function sendOne(state: ClusterState, client: TrafficClient): boolean {
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  if (!svc || svc.spec.type === 'ClusterIP') return false;
  if (client.via === 'loadbalancer' && state.network.provider === 'bare-metal') return sendFromOutside(state, client, svc);
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

/** Milliseconds between an in-cluster client's requests (evenly spaced, no random draw). */
const spacing = (client: TrafficClient): number => 60_000 / Math.max(client.requestsPerMinute, 1e-9);

/** Why an in-cluster request failed, as the Go HTTP client in the calling pod puts it. */
type InsideFailure = 'dns' | 'refused' | 'timeout';

/**
 * A request from inside the cluster to the Service by its name: answered while the name
 * resolves through CoreDNS (dns.ts), the Service has ready endpoints (kube-proxy rejects
 * the connection otherwise), and the `seq`-th request's endpoint (the endpoints in turn, no
 * random draw) is a pod that runs at an address the network routes, that the network
 * policies let the client reach, and whose program listens on the endpoint's port. So a
 * CoreDNS outage, a broken endpoint or a denying policy costs in-cluster traffic as in a real
 * cluster. Counted, and logged only by a client with its own pods (`from`: each of them
 * logs the requests it sent that failed), so a default client changes nothing a player sees.
 */
function answeredInside(state: ClusterState, client: TrafficClient, seq: number, source: Peer): InsideFailure | undefined {
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  const port = svc?.spec.ports[0];
  if (!svc || !port || !serviceNameResolves(state, svc, source)) return 'dns';
  const eps = readyEndpoints(state, svc, port);
  if (eps.length === 0) return 'refused';
  const ep = eps[seq % eps.length]!;
  const pod = podByIP(state, ep.ip);
  if (!pod) return undefined;
  if (!podAnswers(pod) || !podRoutable(state, pod)) return 'timeout';
  if (!connectionAllowed(state, source, { ip: ep.ip, pod }, ep.port, port.protocol)) return 'timeout';
  return listensOn(pod, ep.port) ? undefined : 'refused';
}

/** The running pods an in-cluster client with `from` runs in, in state key order. */
function clientPods(state: ClusterState, client: TrafficClient): Pod[] {
  const from = client.from;
  const out: Pod[] = [];
  if (!from) return out;
  for (const key in state.pods) {
    const pod = state.pods[key]!;
    if (pod.metadata.namespace === from.namespace && !pod.metadata.deletionTimestamp && podAnswers(pod) && matchesSelector(pod.metadata.labels, from.labels)) out.push(pod);
  }
  return out;
}

/** The error line the client's pod logs for a failed request (a JSON logger around Go's net/http). */
function logFailure(state: ClusterState, pod: Pod, client: TrafficClient, seq: number, why: InsideFailure): void {
  const cs = pod.status.containerStatuses[0];
  const svc = state.services[`${client.service.namespace}/${client.service.name}`];
  if (!cs || !svc) return;
  const port = svc.spec.ports[0]?.port ?? 80;
  const host = `${svc.metadata.name}.${svc.metadata.namespace}.svc.${state.network.clusterDomain}`;
  const path = client.paths[seq % Math.max(client.paths.length, 1)] ?? '/';
  const url = `http://${host}${port === 80 ? '' : `:${port}`}${path}`;
  // When the request went out: its slot in the even spacing, less a spread of milliseconds (no random draw).
  const sent = Math.min(state.now, Math.floor((seq + 1) * spacing(client))) - ((seq * 7919) % 1000);
  const cause = why === 'dns' ? `dial tcp: lookup ${host} on ${state.network.dnsServiceIP}:53: i/o timeout`
    : `dial tcp ${svc.spec.clusterIP}:${port}: ${why === 'refused' ? 'connect: connection refused' : 'i/o timeout'}`;
  const text = JSON.stringify({ level: 'error', ts: wallClock(state, sent).toISOString(), msg: 'upstream request failed', upstream: svc.metadata.name, status: 503, error: `Get "${url}": ${cause}` });
  appendLog(cs.logs, { at: state.now, text });
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
      const every = spacing(client);
      n = Math.floor(state.now / every) - Math.floor((state.now - ms) / every);
    } else {
      const expected = (client.requestsPerMinute * ms) / 60_000;
      n = Math.floor(expected);
      if (nextFloat(state.rng) < expected - n) n++;
    }
    let served = 0;
    if (client.via === 'cluster') {
      const first = Math.floor((state.now - ms) / spacing(client));
      // A client with its own pods sends each request from them in turn; without, from its address.
      const pods = n > 0 ? clientPods(state, client) : [];
      for (let i = 0; i < n; i++) {
        const pod = pods.length > 0 ? pods[(first + i) % pods.length] : undefined;
        const source: Peer = pod ? { ip: pod.status.podIP ?? '', pod } : { ip: client.ip };
        const failure = answeredInside(state, client, first + i, source);
        if (failure === undefined) served++;
        else if (pod) logFailure(state, pod, client, first + i, failure);
      }
    } else for (let i = 0; i < n; i++) if (sendOne(state, client)) served++;
    if (n > 0) record(state, client, served, n - served);
  }
}

/** The app saw this client's own address on its latest request (as the source, or in X-Forwarded-For). */
export const clientAddressSeen = (client: TrafficClient): boolean =>
  client.lastServed !== undefined && (client.lastServed.source === client.ip || client.lastServed.forwardedFor === client.ip);
