// Where a connection from the player's workstation goes. The workstation sits on the office
// network with a route to the nodes (it can `ssh` to each): a node's address reaches the
// sockets its processes listen on beyond loopback (node/network/curl.ts: kube-apiserver on
// 6443, the kubelet on 10250, sshd…); any other address, NodePorts and load-balancer addresses
// included, goes the way an office client's request goes (cluster/network/outside.ts). Its own
// loopback holds what its background jobs serve (jobs.ts): `kubectl port-forward` hands a
// connection to the pod's port through the apiserver and the kubelet, so no Service and no
// NetworkPolicy is in the way, and `kubectl proxy` passes requests to the API with the
// kubeconfig's credentials.
import { apiUnavailable, UNABLE_TO_CONNECT } from '../../cluster/api.js';
import { serve, parseUrl, type HttpOptions, type HttpResult } from '../../cluster/network/http.js';
import { outsideRequest, WORKSTATION_IP } from '../../cluster/network/outside.js';
import { listenerAt } from '../jobs.js';
import { UNAUTHORIZED, unauthenticated } from '../kubectl/credentials.js';
import { apiAnswer, isHttpResult, readTlsFiles } from '../node/network/apiserver.js';
import { nodeListenerRequest } from '../node/network/curl.js';
import type { CommandContext } from '../types.js';

export type WorkstationRequest = HttpOptions & { insecure: boolean; clientCert?: string; caCert?: string };

const isLoopback = (host: string): boolean => host === 'localhost' || host.startsWith('127.') || host === '[::1]';

/** curl 8's words for a refused connection (lib/connect.c: "Failed to connect to … after N ms: Couldn't connect to server"). */
const refused = (host: string, port: number): HttpResult => ({ ok: false, code: 7, message: `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server` });

/** A request from the workstation; `onAccepted` hears of a connection a port-forward job took (it prints "Handling connection for PORT"). */
export function workstationRequest(ctx: CommandContext, url: string, opts: WorkstationRequest, onAccepted?: (port: number) => void): HttpResult {
  const u = parseUrl(url);
  if (u && isLoopback(u.host)) return loopbackRequest(ctx, url, opts, onAccepted);
  const tls = readTlsFiles(ctx, opts);
  if (isHttpResult(tls)) return tls;
  const res = nodeListenerRequest(ctx, undefined, url, { ...opts, ...tls });
  if (res === 'refused') return refused(u!.host, u!.port);
  return res ?? outsideRequest(ctx.state, WORKSTATION_IP, url, opts);
}

function loopbackRequest(ctx: CommandContext, url: string, opts: WorkstationRequest, onAccepted?: (port: number) => void): HttpResult {
  const u = parseUrl(url)!;
  const listener = listenerAt(ctx.session, u.port);
  if (!listener) return refused(u.host, u.port);
  // Both serve plain HTTP on the loopback side.
  if (/^https:/i.test(url)) return { ok: false, code: 35, message: 'error:0A00010B:SSL routines::wrong version number' };
  const method = opts.method ?? 'GET';
  const remoteIP = u.host === 'localhost' ? '127.0.0.1' : u.host;
  if (listener.kind === 'proxy') {
    const down = apiUnavailable(ctx.state);
    // kubectl proxy's responder: the error as a plain-text 500 (pkg/proxy/proxy_server.go).
    if (down && down.status === 0) {
      const why = down.message.startsWith(UNABLE_TO_CONNECT) ? down.message.slice(UNABLE_TO_CONNECT.length) : `dial tcp ${ctx.state.controlPlane.apiserver.endpoint.replace(/^https:\/\//, '')}: connect: connection refused`;
      const body = `${why}\n`;
      return { ok: true, response: { status: 500, reason: 'Internal Server Error', headers: [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff'], ['Content-Length', String(body.length)]], body: method === 'HEAD' ? '' : body, remoteIP, remotePort: u.port } };
    }
    const refusal = unauthenticated(ctx, undefined);
    return apiAnswer(ctx.state, { target: u.path, method, user: refusal === UNAUTHORIZED ? 'expired' : 'authenticated', remoteIP, remotePort: u.port });
  }
  onAccepted?.(u.port);
  const pod = ctx.state.pods[`${listener.namespace}/${listener.pod}`];
  const answered = pod && pod.metadata.uid === listener.uid && pod.status.phase === 'Running'
    ? serve(ctx.state, { pod, port: listener.podPort, path: u.path, method, source: '127.0.0.1', userAgent: opts.userAgent ?? 'curl/8.5.0', host: opts.host ?? `${u.host}:${u.port}` })
    : 'refused';
  // kubectl accepted the connection; the pod's side refused it: kubectl closes it without a reply.
  if (answered === 'refused') return { ok: false, code: 52, message: 'Empty reply from server' };
  return { ok: true, response: { ...answered, remoteIP, remotePort: u.port } };
}
