// HTTP between pods and to the outside: `curl` from a pod resolves the host, connects
// through the packet path, and the serving pod answers and writes an access-log line
// with the source address it saw (which is how SNAT shows up in `kubectl logs`).
import { appendLog, wallClock } from '../logs.js';
import { randomHex } from '../rng.js';
import type { ClusterState, Pod } from '../types.js';
import { podRoutable } from './cni-config.js';
import { corednsMetrics } from './coredns-metrics.js';
import { lookupName } from './dns.js';
import { ingressServe } from './ingress.js';
import { deliver, hit } from './path.js';
import { trackConnection } from './conntrack.js';
import { connectionAllowed } from './netpol.js';
import { hasRole } from './pod-lookup.js';
import { nodeByIP, podAnswers, podByIP, serviceByClusterIP, serviceByLoadBalancerIP } from './services.js';

export interface HttpResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
  /** Address and port curl connected to. */
  remoteIP: string;
  remotePort: number;
}

export type HttpResult =
  | { ok: true; response: HttpResponse }
  /** curl's exit code and its error text (without the `curl: (N) ` prefix). */
  | { ok: false; code: 1 | 3 | 6 | 7 | 28 | 35 | 52 | 56 | 60 | 77; message: string };

export interface HttpOptions {
  method?: 'GET' | 'HEAD';
  /** `-m SECONDS`: curl's overall time limit. */
  maxTimeSeconds?: number;
  userAgent?: string;
  /** `-H 'Host: NAME'`: the Host header instead of the URL's host. */
  host?: string;
  /** Told how long resolving the host took (a lookup that waited out a resolver timeout). */
  resolved?: (ms: number) => void;
  /** Only connect, send nothing (`nc -z`): the server is not asked (nothing logged); the answer is empty. */
  connectOnly?: boolean;
}

export interface ParsedUrl {
  host: string;
  port: number;
  path: string;
}

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(?:(https?):\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)/i.exec(url);
  if (!m || !m[2]) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  return { host: m[2], port: m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80, path: m[4] || '/' };
}

const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginx404 = (version: string) => `<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

export function httpDate(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
}

/** nginx's $time_local: 03/Jun/2024:09:14:02 +0000 */
function timeLocal(d: Date): string {
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** The container that serves HTTP in a pod, and its port. */
function httpContainer(pod: Pod): { name: string; port: number; image: string } | undefined {
  for (const c of pod.spec.containers) {
    const b = pod.behavior[c.name];
    const port = b?.httpPort ?? c.ports.find((p) => p.protocol === 'TCP')?.containerPort;
    if (port !== undefined) return { name: c.name, port, image: c.image };
  }
  return undefined;
}

/**
 * The pod's program accepts connections on this port (its HTTP port). A pod whose program
 * declares no port is taken as answering: the counted clients know nothing better of it.
 */
export function listensOn(pod: Pod, port: number): boolean {
  const c = httpContainer(pod);
  return c === undefined || c.port === port;
}

export interface ServedRequest {
  pod: Pod;
  port: number;
  path: string;
  method: 'GET' | 'HEAD';
  /** Source address the pod sees (after any SNAT). */
  source: string;
  userAgent: string;
  /** X-Forwarded-For set by a proxy in front (an HTTP load balancer). */
  forwardedFor?: string;
  /** The Host header (what an ingress controller routes by). */
  host?: string;
}

/** An ingress controller's pod proxies the request to the backend its Ingresses name (ingress.ts) and logs it in ingress-nginx's format. */
function serveThroughIngress(state: ClusterState, req: ServedRequest): HttpResponse {
  const proxied: { response?: HttpResponse } = {};
  const out = ingressServe(state, req.pod, req.host ?? '', req.path, (backend, port) => {
    const r = serve(state, { pod: backend, port, path: req.path, method: req.method, source: req.pod.status.podIP ?? '', userAgent: req.userAgent, forwardedFor: req.source });
    if (r === 'refused') return 'refused';
    proxied.response = r;
    return { status: r.status, reason: r.reason, body: r.body };
  });
  const { status, reason, body } = out.answer;
  const bytes = req.method === 'HEAD' ? 0 : body.length;
  const cs = req.pod.status.containerStatuses[0];
  if (cs) {
    appendLog(cs.logs, { at: state.now, text: `${req.source} - - [${timeLocal(wallClock(state, state.now))}] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes} "-" "${req.userAgent}" 92 0.002 [${out.upstream}] [] ${out.upstreamAddr} ${out.proxied ? bytes : 0} 0.002 ${status} ${randomHex(state.rng, 32)}` });
  }
  if (proxied.response) return proxied.response;
  const headers: [string, string][] = [['Date', httpDate(wallClock(state, state.now))], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ['Connection', 'keep-alive']];
  return { status, reason, headers, body: req.method === 'HEAD' ? '' : body, remoteIP: '', remotePort: req.port };
}

/** The pod accepts TCP connections on the port: its HTTP port, a declared containerPort, CoreDNS's metrics. */
function accepts(pod: Pod, port: number): boolean {
  if (!podAnswers(pod)) return false;
  if (port === 9153 && hasRole(pod, 'coredns')) return true;
  return httpContainer(pod)?.port === port || pod.spec.containers.some((c) => c.ports.some((p) => p.protocol === 'TCP' && p.containerPort === port));
}

/** The pod answers a request and logs it (containers with `accessLog`). */
export function serve(state: ClusterState, req: ServedRequest): HttpResponse | 'refused' {
  if (req.port === 9153 && hasRole(req.pod, 'coredns') && podAnswers(req.pod)) return metricsResponse(state, req);
  const c = httpContainer(req.pod);
  if (!c || c.port !== req.port || !podAnswers(req.pod)) return 'refused';
  if (req.pod.behavior[c.name]?.role === 'ingress-nginx') return serveThroughIngress(state, req);
  const isNginx = c.image.includes('nginx');
  const version = /nginx:(\d+\.\d+\.\d+)/.exec(c.image)?.[1] ?? '1.25.3';
  const now = wallClock(state, state.now);
  let status = 200;
  let body: string;
  let type = 'text/html';
  if (isNginx) {
    if (req.path === '/' || req.path === '/index.html') body = NGINX_INDEX;
    else { status = 404; body = nginx404(version); }
  } else if (req.path === '/healthz' || req.path === '/readyz') {
    body = 'ok';
    type = 'text/plain; charset=utf-8';
  } else {
    body = `{"service":"${req.pod.metadata.labels['app'] ?? req.pod.metadata.name}","status":"ok"}\n`;
    type = 'application/json';
  }
  const headers: [string, string][] = isNginx
    ? [['Server', `nginx/${version}`], ['Date', httpDate(now)], ['Content-Type', type], ['Content-Length', String(body.length)], ['Connection', 'keep-alive']]
    : [['Content-Type', type], ['Date', httpDate(now)], ['Content-Length', String(body.length)]];
  if (isNginx && status === 200) headers.push(['Last-Modified', 'Tue, 24 Oct 2023 13:46:47 GMT'], ['ETag', '"6537cac7-267"'], ['Accept-Ranges', 'bytes']);
  const cs = req.pod.status.containerStatuses.find((s) => s.name === c.name);
  if (cs && req.pod.behavior[c.name]?.accessLog) {
    const bytes = req.method === 'HEAD' ? 0 : body.length;
    const line = isNginx
      ? `${req.source} - - [${timeLocal(now)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${bytes} "-" "${req.userAgent}" "${req.forwardedFor ?? '-'}"`
      : JSON.stringify({ level: 'info', ts: now.toISOString(), msg: 'request', remote_addr: req.source, method: req.method, path: req.path, status, bytes, user_agent: req.userAgent, ...(req.forwardedFor ? { x_forwarded_for: req.forwardedFor } : {}) });
    appendLog(cs.logs, { at: state.now, text: line });
  }
  return { status, reason: status === 200 ? 'OK' : 'Not Found', headers, body: req.method === 'HEAD' ? '' : body, remoteIP: '', remotePort: req.port };
}

/** CoreDNS's prometheus plugin: /metrics in the text exposition format, 404 elsewhere (Go's net/http). */
function metricsResponse(state: ClusterState, req: ServedRequest): HttpResponse {
  const found = req.path === '/metrics';
  const body = found ? corednsMetrics(state, req.pod) : '404 page not found\n';
  const type = found ? 'text/plain; version=0.0.4; charset=utf-8' : 'text/plain; charset=utf-8';
  const headers: [string, string][] = [['Content-Type', type], ['Date', httpDate(wallClock(state, state.now))], ['Content-Length', String(body.length)]];
  return { status: found ? 200 : 404, reason: found ? 'OK' : 'Not Found', headers, body: req.method === 'HEAD' ? '' : body, remoteIP: '', remotePort: req.port };
}

const EXTERNAL_PAGE = (host: string) => `<!doctype html>\n<html>\n<head>\n    <title>${host}</title>\n</head>\n<body>\n<div>\n    <h1>Example Domain</h1>\n</div>\n</body>\n</html>\n`;

function timeoutResult(host: string, port: number, opts: HttpOptions): HttpResult {
  if (opts.maxTimeSeconds !== undefined) return { ok: false, code: 28, message: `Connection timed out after ${opts.maxTimeSeconds * 1000 + 1} milliseconds` };
  return { ok: false, code: 28, message: `Failed to connect to ${host} port ${port} after 130994 ms: Couldn't connect to server` };
}

/** `curl URL` from inside a pod. */
export function httpRequest(state: ClusterState, fromPod: Pod, url: string, opts: HttpOptions = {}): HttpResult {
  const u = parseUrl(url);
  if (!u) return { ok: false, code: 3, message: 'URL using bad/illegal format or missing URL' };
  const method = opts.method ?? 'GET';
  const userAgent = opts.userAgent ?? 'curl/8.5.0';
  const hostHeader = opts.host ?? u.host;
  // A pod whose address no node routes: its packets leave, nothing comes back (DNS included).
  if (!podRoutable(state, fromPod)) return /^\d+\.\d+\.\d+\.\d+$/.test(u.host) ? timeoutResult(u.host, u.port, opts) : { ok: false, code: 6, message: `Could not resolve host: ${u.host}` };
  let ip = u.host;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(u.host)) {
    // getaddrinfo: A and AAAA together, the search list per ndots.
    const looked = lookupName(state, fromPod, u.host, 'A', { parallel: true });
    opts.resolved?.(looked.ms);
    const r = looked.outcome;
    if (r.kind === 'timeout' && opts.maxTimeSeconds !== undefined && opts.maxTimeSeconds < 5) return timeoutResult(u.host, u.port, opts);
    if (r.kind !== 'answer') return { ok: false, code: 6, message: `Could not resolve host: ${u.host}` };
    ip = r.records[0]!.data;
  }
  const src = fromPod.status.podIP ?? '';
  const node = fromPod.spec.nodeName ?? '';
  const reply = (req: ServedRequest): HttpResponse | 'refused' =>
    opts.connectOnly ? (accepts(req.pod, req.port) ? { status: 0, reason: '', headers: [], body: '', remoteIP: '', remotePort: req.port } : 'refused') : serve(state, req);
  const at = (resp: HttpResponse | 'refused'): HttpResult =>
    resp === 'refused'
      ? { ok: false, code: 7, message: `Failed to connect to ${u.host} port ${u.port} after 1 ms: Couldn't connect to server` }
      : { ok: true, response: { ...resp, remoteIP: ip, remotePort: u.port } };
  const svc = serviceByClusterIP(state, ip);
  if (svc) {
    const port = svc.spec.ports.find((p) => p.port === u.port && p.protocol === 'TCP');
    if (!port) return timeoutResult(u.host, u.port, opts);
    const d = deliver(state, { node, src, svc, port, entry: 'cluster-ip', bytes: 120 });
    if (!d.ok) return d.error === 'refused' ? at('refused') : timeoutResult(u.host, u.port, opts);
    trackConnection(state, { node, src, dst: ip, dport: u.port, endpoint: d.endpoint, seenSource: d.seenSource });
    return at(reply({ pod: d.pod, port: d.endpoint.port, path: u.path, method, source: d.seenSource, userAgent, host: hostHeader }));
  }
  // A load balancer's address: kube-proxy on the pod's own node takes it (KUBE-SERVICES matches the LB IP), whoever announces it.
  const lb = serviceByLoadBalancerIP(state, ip);
  const lbPort = lb?.spec.ports.find((p) => p.port === u.port && p.protocol === 'TCP');
  if (lb && lbPort) {
    const d = deliver(state, { node, src, svc: lb, port: lbPort, entry: 'loadbalancer', bytes: 120 });
    if (!d.ok) return d.error === 'refused' ? at('refused') : timeoutResult(u.host, u.port, opts);
    return at(reply({ pod: d.pod, port: d.endpoint.port, path: u.path, method, source: d.seenSource, userAgent, host: hostHeader }));
  }
  const target = podByIP(state, ip);
  const client = { ip: src, pod: fromPod };
  // A connection a policy denies is dropped: curl waits for its SYN's answer until it gives up.
  if (!connectionAllowed(state, client, { ip, ...(target ? { pod: target } : {}) }, u.port, 'TCP')) return timeoutResult(u.host, u.port, opts);
  if (target && !podRoutable(state, target)) return timeoutResult(u.host, u.port, opts);
  if (target) return at(reply({ pod: target, port: u.port, path: u.path, method, source: src, userAgent, host: hostHeader }));
  const host = nodeByIP(state, ip);
  if (host) {
    const svcByNodePort = Object.values(state.services).find((s) => s.spec.ports.some((p) => p.nodePort === u.port));
    const port = svcByNodePort?.spec.ports.find((p) => p.nodePort === u.port);
    if (!svcByNodePort || !port) return at('refused');
    const d = deliver(state, { node: host.metadata.name, src, svc: svcByNodePort, port, entry: 'nodeport', bytes: 120 });
    if (!d.ok) return d.error === 'refused' ? at('refused') : timeoutResult(u.host, u.port, opts);
    return at(reply({ pod: d.pod, port: d.endpoint.port, path: u.path, method, source: d.seenSource, userAgent, host: hostHeader }));
  }
  // Out to the internet: the CNI SNATs the pod address to the node's (AWS VPC CNI style).
  if (Object.values(state.network.externalDNS).includes(ip)) {
    if (state.network.cni.name === 'aws-node') {
      hit(state, node, 'POSTROUTING>AWS-SNAT-CHAIN-0', 120);
      hit(state, node, 'AWS-SNAT-CHAIN-0>SNAT', 120);
    }
    const hostName = Object.keys(state.network.externalDNS).find((k) => state.network.externalDNS[k] === ip) ?? u.host;
    const body = EXTERNAL_PAGE(hostName);
    return at({ status: 200, reason: 'OK', headers: [['Content-Type', 'text/html'], ['Content-Length', String(body.length)]], body: method === 'HEAD' ? '' : body, remoteIP: ip, remotePort: u.port });
  }
  return timeoutResult(u.host, u.port, opts);
}
