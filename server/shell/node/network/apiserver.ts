// kube-apiserver's HTTPS port (6443) as curl sees it, from a node or the workstation, and the
// API as `kubectl proxy` passes it on. TLS first: the serving certificate (cluster/pki.ts) is
// signed by the cluster CA, which no system bundle holds (curl's "unable to get local issuer
// certificate" unless -k or --cacert), and an expired one fails even with --cacert. Then who
// asks: a client certificate (--cert, e.g. the one base64-decoded from a kubeconfig) is that
// user, refused with a 401 Status once expired; no certificate is system:anonymous, which
// kubeadm's RBAC lets read only the health endpoints and /version (system:public-info-viewer)
// and refuses the rest with a 403 Status. The answers are the REST API's (server/kubeapi), its
// JSON indented for curl (apimachinery responsewriters isPrettyPrint: a "curl" User-Agent,
// json.MarshalIndent with two spaces, no newline after).
import { expiredCert, pemValidity } from '../../../cluster/pki.js';
import { httpDate, parseUrl, type HttpResponse, type HttpResult } from '../../../cluster/network/http.js';
import { wallClock } from '../../../cluster/logs.js';
import type { ClusterState } from '../../../cluster/types.js';
import { handleApiRequest } from '../../../kubeapi/handler.js';
import { healthAnswer, queryParams, singleCheckAnswer } from '../../kubectl/commands/raw.js';
import { versionInfo } from '../../kubectl/discovery.js';
import type { CommandContext } from '../../types.js';
import { readFile } from '../../vfs.js';

/** curl's error 60 with the advice it prints after it (curl 8 lib/strerror.c, tool_operate.c). */
export const certProblem = (why: string): string => `SSL certificate problem: ${why}\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.`;

/** What a TLS client brings: -k, the text of --cacert's file, the text of --cert's file. */
export interface TlsClient {
  insecure: boolean;
  caCert?: string | undefined;
  clientCert?: string | undefined;
}

/** --cacert and --cert read where curl runs: their texts, or curl's error 77 for a CA file it cannot read. */
export function readTlsFiles(ctx: CommandContext, opts: { insecure: boolean; caCert?: string; clientCert?: string }): TlsClient | HttpResult {
  let caCert: string | undefined;
  if (opts.caCert !== undefined) {
    const file = readFile(ctx, 'curl', opts.caCert);
    if (!file.ok) return { ok: false, code: 77, message: `error setting certificate file: ${opts.caCert}` };
    caCert = file.content;
  }
  // An unreadable --cert still makes curl offer one (the handshake fails later); its text stays the path.
  const cert = opts.clientCert === undefined ? undefined : readFile(ctx, 'curl', opts.clientCert);
  return { insecure: opts.insecure, caCert, clientCert: cert === undefined ? undefined : cert.ok ? cert.content : opts.clientCert };
}

export const isHttpResult = (x: TlsClient | HttpResult): x is HttpResult => 'ok' in x;

/** Whether curl accepts the apiserver's certificate, or its error. */
export function verifyApiserver(state: ClusterState, tls: TlsClient): HttpResult | undefined {
  if (tls.insecure) return undefined;
  if (tls.caCert === undefined || !tls.caCert.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, code: 60, message: certProblem('unable to get local issuer certificate') };
  return expiredCert(state, 'apiserver') ? { ok: false, code: 60, message: certProblem('certificate has expired') } : undefined;
}

const PUBLIC = /^\/(healthz|livez|readyz)(\/[a-z0-9/-]*)?$|^\/version\/?$|^\/\.well-known\/openid-configuration$|^\/openid\/v1\/jwks$/;

/** The message RBAC refuses an anonymous request with: a resource path names its resource, any other path the path. */
function anonymousRefusal(path: string, method: string): { message: string; details: Record<string, string> } {
  const core = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?\/?$/.exec(path);
  const grouped = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?\/?$/.exec(path);
  const r = core ? { ns: core[1], resource: core[2]!, name: core[3], group: '' } : grouped ? { ns: grouped[2], resource: grouped[3]!, name: grouped[4], group: grouped[1]! } : undefined;
  if (!r) return { message: `forbidden: User "system:anonymous" cannot ${method.toLowerCase()} path "${path}"`, details: {} };
  const verb = method === 'GET' ? (r.name === undefined ? 'list' : 'get') : method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : 'update';
  const shown = r.group ? `${r.resource}.${r.group}` : r.resource;
  const scope = r.ns !== undefined ? `in the namespace "${r.ns}"` : 'at the cluster scope';
  return {
    message: `${r.name !== undefined ? `${shown} "${r.name}"` : shown} is forbidden: User "system:anonymous" cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${scope}`,
    details: { ...(r.name !== undefined ? { name: r.name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.resource },
  };
}

const status = (code: number, reason: string, message: string, details?: Record<string, string>) =>
  ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), ...(details ? { details } : {}), code });

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** `contentType`: true for JSON, false for the health endpoints' plain text, or the media type a handler named. */
function respond(state: ClusterState, code: number, body: string, contentType: boolean | string, head: boolean, remoteIP: string, remotePort: number): HttpResponse {
  const json = contentType === true;
  const headers: [string, string][] = [
    ['Audit-Id', auditId(state, body.length)],
    ['Cache-Control', 'no-cache, private'],
    ['Content-Type', typeof contentType === 'string' ? contentType : json ? 'application/json' : 'text/plain; charset=utf-8'],
    ...(contentType === false ? [['X-Content-Type-Options', 'nosniff'] as [string, string]] : []),
    ['Date', httpDate(wallClock(state, state.now))],
    ['Content-Length', String(Buffer.byteLength(body))],
  ];
  return { status: code, reason: REASONS[code] ?? 'Unknown', headers, body: head ? '' : body, remoteIP, remotePort };
}

/** A request id shaped like the apiserver's (a v4 UUID), stable for the same time and answer. */
function auditId(state: ClusterState, salt: number): string {
  let h = (state.now ^ (salt * 2654435761)) >>> 0;
  const hex = Array.from({ length: 32 }, () => ((h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0) & 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ApiCall {
  /** Path and query: `/api/v1/namespaces/default/pods?limit=1`. */
  target: string;
  method: 'GET' | 'HEAD';
  /** Who asks: a user the apiserver authenticated, or nobody (system:anonymous). */
  user: 'anonymous' | 'authenticated' | 'expired';
  /** Where the answer appears to come from, for curl -v and -w. */
  remoteIP: string;
  remotePort: number;
}

/** What the API answers one HTTP request, as curl receives it. */
export function apiAnswer(state: ClusterState, call: ApiCall): HttpResult {
  const [path = '/', query = ''] = call.target.split('?', 2) as [string, string | undefined];
  const head = call.method === 'HEAD';
  const json = (code: number, value: unknown) => ({ ok: true as const, response: respond(state, code, typeof value === 'string' ? value : JSON.stringify(value, null, 2), true, head, call.remoteIP, call.remotePort) });
  if (call.user === 'expired') return json(401, status(401, 'Unauthorized', 'Unauthorized'));
  const health = /^\/(healthz|livez|readyz)\/?$/.exec(path);
  if (health) {
    const answer = healthAnswer(state, health[1] as 'healthz' | 'livez' | 'readyz', query.split('&').some((q) => q === 'verbose' || q === 'verbose=true' || q === 'verbose=1'));
    return { ok: true, response: respond(state, answer.ok ? 200 : 500, answer.body, false, head, call.remoteIP, call.remotePort) };
  }
  const single = /^\/(healthz|livez|readyz)\/(.+)$/.exec(path);
  const one = single ? singleCheckAnswer(state, single[1] as 'healthz' | 'livez' | 'readyz', single[2]!) : undefined;
  if (one) return { ok: true, response: respond(state, one.ok ? 200 : 500, one.body, false, head, call.remoteIP, call.remotePort) };
  if (/^\/version\/?$/.test(path)) return json(200, versionInfo(state));
  if (call.user === 'anonymous' && !PUBLIC.test(path)) {
    const refusal = anonymousRefusal(path, call.method === 'HEAD' ? 'GET' : call.method);
    return json(403, status(403, 'Forbidden', refusal.message, refusal.details));
  }
  const res = handleApiRequest(state, { method: 'GET', path, query: queryParams(query), accept: 'application/json', contentType: '' });
  if (res.status === 0) return { ok: false, code: 52, message: 'Empty reply from server' };
  if (res.contentType !== undefined && typeof res.body === 'string') return { ok: true, response: respond(state, res.status, res.body, res.contentType, head, call.remoteIP, call.remotePort) };
  return json(res.status, res.body);
}

/** `https://HOST:6443/…` to the apiserver's socket (plain HTTP gets Go's 400 before this): TLS, then who the client certificate says. */
export function apiserverRequest(state: ClusterState, url: string, method: 'GET' | 'HEAD', tls: TlsClient, remoteIP: string): HttpResult {
  const u = parseUrl(url)!;
  const refused = verifyApiserver(state, tls);
  if (refused) return refused;
  const cert = tls.clientCert === undefined ? undefined : pemValidity(state, tls.clientCert);
  const user = cert === undefined ? 'anonymous' : state.now >= cert.notAfter ? 'expired' : 'authenticated';
  return apiAnswer(state, { target: u.path, method, user, remoteIP, remotePort: u.port });
}
