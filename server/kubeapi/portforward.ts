// `pods/NAME/portforward`, pure: what one forwarded connection gets from the pod, as the API's
// portforward subresource serves it. The edge (http/kube-api-spdy.ts) speaks SPDY; here a
// request is a whole connection: the port and the HTTP request the client wrote (logged with
// it, so a room replays it), answered with the bytes the pod's listener writes back: the same
// simulated response the shell's `curl` to that pod and port gets (cluster/network/http.ts
// serve, its access-log line included). A port nothing listens on gets containerd's error text
// on the error stream, prefixed as the kubelet's streaming server does (kubelet
// cri/streaming/portforward/httpstream.go portForward: "error forwarding port %d to pod %s,
// uid %v: %v", the pod being the sandbox id and the uid empty under the CRI; containerd
// sandbox_portforward_linux.go: "failed to execute portforward in network namespace %q: failed
// to connect to localhost:%d inside namespace %q, IPv4: %v IPv6 %v "). A body without a port
// is the forward's opening: the pod must exist and its kubelet answer.
import { z } from 'zod';
import type { ClusterState, Pod } from '../cluster/types.js';
import { listensOn, serve } from '../cluster/network/http.js';
import { podAnswers } from '../cluster/network/services.js';
import { kubeletDownAt } from '../shell/kubectl/kubelet-proxy.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { podId } from '../shell/node/crictl.js';
import type { ApiRequest, Target } from './handler.js';
import { badRequest, notFound, statusResponse, type ApiResponse } from './status.js';

/** The request head a forwarded connection may send before it is answered (nginx's large_client_header_buffers: 4 × 8 KiB). */
export const MAX_FORWARDED_REQUEST = 32 * 1024;

export const PortForwardBody = z.object({
  port: z.number().int().min(1).max(65535).optional(),
  /** What the client wrote on the connection: an HTTP request head (latin1, byte for byte). */
  request: z.string().max(MAX_FORWARDED_REQUEST).optional(),
}).strict();
export type PortForwardBody = z.infer<typeof PortForwardBody>;

/** What a connection got (the answer's body, status 200): the bytes the pod wrote, or the error stream's text. */
export interface PortForwardAnswer {
  data: string;
  error?: string;
}

export const isPortForwardTarget = (target: Target): target is Target & { name: string } =>
  target.subresource === 'portforward' && target.name !== undefined && target.type.kind === 'Pod';

/** The request a forward sends its session. */
export const portForwardRequest = (path: string, body: PortForwardBody): ApiRequest => ({ method: 'POST', path, query: {}, accept: 'application/json', contentType: 'application/json', body: body as unknown as Json });

/** containerd's words for a port nothing listens on in the pod's network namespace. */
function refusedText(pod: Pod, port: number): string {
  const sandbox = podId(pod);
  const dial = `IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
  return `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${pod.metadata.uid}": failed to connect to localhost:${port} inside namespace "${sandbox}", ${dial}`;
}

/** `METHOD PATH HTTP/1.x` and the headers curl-like clients send, from a request head. */
function parseHead(head: string): { method: string; path: string; host?: string; userAgent?: string } | undefined {
  const lines = head.split('\r\n');
  const m = /^([A-Z]{1,16}) (\S{1,8192}) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const header = (name: string): string | undefined => lines.slice(1).find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  const host = header('host');
  const userAgent = header('user-agent');
  return { method: m[1]!, path: m[2]!, ...(host !== undefined ? { host } : {}), ...(userAgent !== undefined ? { userAgent } : {}) };
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/** Serves a forward's opening or one of its connections. */
export function runPortForward(state: ClusterState, target: Target & { name: string }, rawBody: Json | undefined): ApiResponse {
  const parsed = PortForwardBody.safeParse(rawBody ?? {});
  if (!parsed.success) return badRequest(parsed.error.issues.map((i) => i.message).join('; '));
  const { port, request } = parsed.data;
  const pod = state.pods[`${target.namespace ?? 'default'}/${target.name}`];
  if (!pod) return notFound(target.type, target.name);
  // The apiserver proxies to the pod's kubelet: with it stopped, the dial fails (as exec's).
  const down = kubeletDownAt(state, pod);
  if (down) return statusResponse(500, '', `error dialing backend: dial tcp ${down}:10250: connect: connection refused`);
  if (port === undefined) return { status: 200, body: { data: '' } };
  const answer = (a: PortForwardAnswer): ApiResponse => ({ status: 200, body: a as unknown as Json });
  const listening = pod.status.phase === 'Running' && podAnswers(pod) && listensOn(pod, port);
  const head = request === undefined ? undefined : parseHead(request);
  if (!head || (head.method !== 'GET' && head.method !== 'HEAD')) return answer(listening ? { data: request === undefined || request === '' ? '' : BAD_REQUEST } : { data: '', error: refusedText(pod, port) });
  const served = serve(state, { pod, port, path: head.path, method: head.method, source: '127.0.0.1', userAgent: head.userAgent ?? '-', host: head.host ?? `localhost:${port}` });
  if (served === 'refused') return answer({ data: '', error: refusedText(pod, port) });
  const lines = [`HTTP/1.1 ${served.status} ${served.reason}`, ...served.headers.map(([k, v]) => `${k}: ${v}`)];
  return answer({ data: `${lines.join('\r\n')}\r\n\r\n${served.body}` });
}
