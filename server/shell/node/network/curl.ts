// curl and `nc -zv` on a node. A connection to the node itself (localhost, its own address)
// or to another node's address reaches the sockets that node's processes listen on
// (procs.ts, what ss and lsof list): the kubelet's and control plane's health endpoints,
// TLS where the real component serves TLS. Anything else (pods, Service IPs, the internet)
// goes through the cluster's packet path from the host network, like a hostNetwork pod.
import { httpDate, httpRequest, parseUrl, type HttpOptions, type HttpResult } from '../../../cluster/network/http.js';
import { nodeByIP } from '../../../cluster/network/services.js';
import { wallClock } from '../../../cluster/logs.js';
import type { ClusterState, Node, Pod } from '../../../cluster/types.js';
import { curlWith } from '../../exec/http-tools.js';
import { fail, type CommandContext, type CommandResult, type ShellCommand } from '../../types.js';
import { isResult, onNode, type NodeContext } from '../common.js';
import { sockets, type Socket } from '../procs.js';
import { internalIP } from '../../session.js';
import { apiserverRequest, certProblem, isHttpResult, readTlsFiles, type TlsClient } from './apiserver.js';

/** The node's host network as a request's source: a hostNetwork pod resolving with the node's resolv.conf. */
export function hostClient(node: Node): Pod {
  const ip = internalIP(node) ?? '';
  return {
    metadata: { name: node.metadata.name, uid: `host/${node.metadata.name}`, labels: {}, annotations: {}, creationTimestamp: 0, resourceVersion: 0, generation: 0, ownerReferences: [] },
    spec: { containers: [], nodeName: node.metadata.name, nodeSelector: {}, tolerations: [], restartPolicy: 'Always', hostNetwork: true, dnsPolicy: 'Default', serviceAccountName: '', schedulerName: '', terminationGracePeriodSeconds: 0 },
    status: { phase: 'Running', conditions: [], containerStatuses: [], podIP: ip, hostIP: ip, qosClass: 'BestEffort' },
    behavior: {},
  };
}

/** Ports whose component serves TLS only (kubeadm's defaults). */
const TLS_PORTS = new Set([6443, 10250, 10257, 10259, 2379, 2380]);

type Target = { node: NodeContext; socket?: Socket } | undefined;

/**
 * The node an address belongs to (loopback is the node the session is on, `here`; the
 * workstation has none), and its socket listening on the port, seen from there.
 */
function localTarget(ctx: CommandContext, here: Node | undefined, host: string, port: number): Target {
  const loopback = host === 'localhost' || host.startsWith('127.');
  const node = loopback ? here : nodeByIP(ctx.state, host) ?? (host === here?.metadata.name ? here : undefined);
  if (!node) return undefined;
  const there: NodeContext = { ctx, state: ctx.state, node, name: node.metadata.name, root: true };
  const ip = internalIP(node);
  const socket = sockets(there).find((s) => !s.remote && s.local[1] === port &&
    (s.local[0] === '*' || (loopback ? s.local[0] === '127.0.0.1' : s.local[0] === ip)));
  return { node: there, socket };
}

type NodeRequest = HttpOptions & TlsClient;

function goText(state: ClusterState, status: number, reason: string, body: string, host: string, port: number): HttpResult {
  const headers: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff'], ['Date', httpDate(wallClock(state, state.now))], ['Content-Length', String(body.length)]];
  return { ok: true, response: { status, reason, headers, body, remoteIP: host, remotePort: port } };
}

/** What a component's HTTP(S) server answers on its port. */
function answer(n: NodeContext, s: Socket, url: string, opts: NodeRequest, ip: string): HttpResult {
  const u = parseUrl(url)!;
  const https = /^https:/i.test(url);
  const port = s.local[1];
  const text = (status: number, reason: string, body: string): HttpResult => goText(n.state, status, reason, opts.method === 'HEAD' ? '' : body, ip, port);
  if (s.comm === 'sshd' || s.comm === 'containerd') return { ok: false, code: 1, message: 'Received HTTP/0.9 when not allowed' };
  if (TLS_PORTS.has(port) && !https) return text(400, 'Bad Request', 'Client sent an HTTP request to an HTTPS server.\n');
  if (!TLS_PORTS.has(port) && https) return { ok: false, code: 35, message: 'error:0A00010B:SSL routines::wrong version number' };
  if (port === 6443) return apiserverRequest(n.state, url, opts.method ?? 'GET', opts, ip);
  if (https && !opts.insecure) return { ok: false, code: 60, message: certProblem('unable to get local issuer certificate') };
  const health = ['/healthz', '/livez', '/readyz', '/health'].includes(u.path.split('?')[0]!);
  switch (port) {
    case 2379: case 2380:
      // etcd runs with --client-cert-auth: no certificate, no handshake.
      if (!opts.clientCert) return { ok: false, code: 56, message: 'OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0' };
      return u.path === '/health' ? text(200, 'OK', '{"health":"true","reason":""}') : text(404, 'Not Found', '404 page not found\n');
    case 2381: return u.path === '/health' ? text(200, 'OK', '{"health":"true","reason":""}') : text(404, 'Not Found', '404 page not found\n');
    case 10250: return text(401, 'Unauthorized', 'Unauthorized');
  }
  return health ? text(200, 'OK', 'ok') : text(404, 'Not Found', '404 page not found\n');
}

/**
 * A request to an address of a node: what its listener on the port answers, 'refused' when
 * nothing listens there, undefined when the address is no node's or is a NodePort without a
 * listener (kube-proxy's rules take it).
 */
export function nodeListenerRequest(ctx: CommandContext, here: Node | undefined, url: string, opts: NodeRequest): HttpResult | 'refused' | undefined {
  const u = parseUrl(url);
  const target = u ? localTarget(ctx, here, u.host, u.port) : undefined;
  if (!u || !target) return undefined;
  const ip = u.host === 'localhost' ? '127.0.0.1' : u.host;
  if (target.socket) return answer(target.node, target.socket, url, opts, ip);
  return u.port >= 30000 && u.port <= 32767 ? undefined : 'refused';
}

function nodeRequest(n: NodeContext, url: string, opts: NodeRequest): HttpResult {
  const res = nodeListenerRequest(n.ctx, n.node, url, opts);
  if (res === undefined) return httpRequest(n.state, hostClient(n.node), url, opts);
  // Ubuntu 22.04's curl 7.81 still words a refusal "Connection refused".
  return res === 'refused' ? { ok: false, code: 7, message: `Failed to connect to ${parseUrl(url)!.host} port ${parseUrl(url)!.port} after 0 ms: Connection refused` } : res;
}

export const curl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'curl');
  if (isResult(n)) return n;
  return curlWith((url, opts) => {
    const tls = readTlsFiles(ctx, opts);
    return isHttpResult(tls) ? tls : nodeRequest(n, url, { ...opts, ...tls });
  }, argv);
};

/** How a TCP connection attempt ends. */
export type Connect = 'connected' | 'refused' | 'timeout' | 'unresolved';

/** An HTTP client's result read as a port check: any answer, even a protocol error, means it connected. */
export const connectOutcome = (res: HttpResult): Connect => (res.ok ? 'connected' : res.code === 6 ? 'unresolved' : res.code === 7 ? 'refused' : res.code === 28 ? 'timeout' : 'connected');

/** netcat-openbsd's `-z` port check (Ubuntu's nc): `nc -zv HOST PORT`, `-w SECONDS`. */
export const nc: ShellCommand = (ctx: CommandContext, argv: string[]): CommandResult => {
  const n = onNode(ctx, 'nc');
  if (isResult(n)) return n;
  return ncWith(ctx, argv, 'glibc', (host, port, wait) => {
    const target = localTarget(ctx, n.node, host, port);
    if (target) return target.socket ? 'connected' : 'refused';
    return connectOutcome(httpRequest(n.state, hostClient(n.node), `http://${host}:${port}/`, { connectOnly: true, ...(wait !== undefined ? { maxTimeSeconds: wait } : {}) }));
  });
};

/** /etc/services names (netbase) nc prints in `[tcp/NAME]`; `*` for the others. */
const SERVICE_NAMES: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt' };
/** How long an unanswered connect() takes to give up: Linux's 6 SYN retries (as curl reports it). */
const SYN_TIMEOUT_MS = 130_994;

/**
 * nc's options and messages around a connection attempt made by `connect` (netcat-openbsd
 * 1.2xx as Debian patches it, which Ubuntu and Alpine ship): `-w N` gives up after N seconds
 * ("timed out" with connect's EINPROGRESS), else the kernel's SYN retries end in ETIMEDOUT;
 * the time waited passes. The C library words errno and getaddrinfo's errors (glibc or musl).
 */
export function ncWith(ctx: CommandContext, argv: string[], libc: 'glibc' | 'musl', connect: (host: string, port: number, wait: number | undefined) => Connect): CommandResult {
  let verbose = false;
  let zero = false;
  let wait: number | undefined;
  const rest: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-w') wait = Number(args[++i]);
    else if (/^-[zvnw\d]+$/.test(a)) {
      if (a.includes('v')) verbose = true;
      if (a.includes('z')) zero = true;
      const w = /w(\d+)$/.exec(a);
      if (w) wait = Number(w[1]);
    } else if (a.startsWith('-')) return fail(`nc: invalid option -- '${a.slice(1, 2)}'\nusage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n`, 1);
    else rest.push(a);
  }
  const [host, portText] = rest;
  if (!zero || host === undefined || portText === undefined || !/^\d+$/.test(portText)) return fail('usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n', 1);
  const port = Number(portText);
  const waitSeconds = wait !== undefined && !Number.isNaN(wait) && wait > 0 ? wait : undefined;
  const outcome = connect(host, port, waitSeconds);
  if (outcome === 'connected') return { stdout: '', stderr: verbose ? `Connection to ${host} ${port} port [tcp/${SERVICE_NAMES[port] ?? '*'}] succeeded!\n` : '', exitCode: 0 };
  if (outcome === 'unresolved') return fail(`nc: getaddrinfo for host "${host}" port ${port}: ${libc === 'musl' ? 'Name does not resolve' : 'Name or service not known'}\n`, 1);
  let why = 'failed: Connection refused';
  if (outcome === 'timeout') {
    ctx.passTime?.(waitSeconds !== undefined ? waitSeconds * 1000 : SYN_TIMEOUT_MS);
    why = waitSeconds !== undefined ? `timed out: ${libc === 'musl' ? 'Operation in progress' : 'Operation now in progress'}` : 'failed: Connection timed out';
  }
  return fail(verbose ? `nc: connect to ${host} port ${port} (tcp) ${why}\n` : '', 1);
}

/** Whether a node's address has a listener on the port (seen from outside the node): undefined when the address is no node's. */
export function nodeConnect(ctx: CommandContext, host: string, port: number): Connect | undefined {
  const target = localTarget(ctx, undefined, host, port);
  return target ? (target.socket ? 'connected' : 'refused') : undefined;
}
