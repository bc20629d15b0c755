// exec, attach and port-forward over the Kubernetes API: the upgrade of `pods/NAME/exec|attach|
// portforward` (the pure parts are kubeapi/exec.ts and kubeapi/portforward.ts; the stream itself
// is exec-session.ts). kubectl v1.29 speaks SPDY/3.1 for all three (kube-api-spdy.ts); with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true it first tries exec over a WebSocket offering
// `v5.channel.k8s.io` and falls back to SPDY only if that upgrade fails (kubectl/pkg/cmd/exec/
// exec.go createExecutor, client-go tools/remotecommand/fallback.go); both are served here.
//
// v5.channel.k8s.io (client-go tools/remotecommand/websocket.go, v4.go; apimachinery
// pkg/util/remotecommand/constants.go): binary messages whose first byte is the channel: 0
// stdin, 1 stdout, 2 stderr, 3 error (a meta/v1 Status, then the server closes), 4 resize
// (terminal size JSON), and 255 followed by a channel: that stream is closed (stdin's end).
// Anything else the client sends (text, an unknown channel, an oversized message, stdin past
// MAX_EXEC_STDIN) ends the stream with a BadRequest Status on the error channel.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { attachExec, ExecBody, type ExecRun } from '../kubeapi/exec.js';
import { portForwardRequest } from '../kubeapi/portforward.js';
import { statusResponse, type ApiResponse } from '../kubeapi/status.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { bearerToken } from './errors.js';
import { execRequest, runExec, type ExecOpening, type StreamSlots } from './exec-session.js';
import type { FollowedLog, KubeApiBackend, KubeApiSession } from './kube-api.js';
import { negotiate, PORT_FORWARD_PROTOCOL, REMOTE_COMMAND_PROTOCOL, SPDY_UPGRADE, spdyAttach, spdyExec, spdyPortForward } from './kube-api-spdy.js';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** Largest message a client may send over a WebSocket (kubectl writes stdin in 32 KiB reads). */
export const MAX_EXEC_MESSAGE_BYTES = 64 * 1024;

const STREAMING = /^(\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+)\/(exec|attach|portforward)$/;

/** An upgrade request's path is one this handles (exec, attach, port-forward of a pod). */
export const streamingPath = (path: string): boolean => STREAMING.test(path.replace(/^\/rooms\/[^/]+/, ''));

/** The answer to a plain (not upgraded) request for a streaming subresource, as the apiserver gives it. */
export const upgradeRequired = (): ApiResponse => statusResponse(400, 'BadRequest', 'Upgrade request required');

/** Writes `response` as a plain HTTP answer on a socket that asked for an upgrade, and closes it. */
export function refuseUpgrade(socket: Duplex, response: ApiResponse): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const type = response.contentType ?? 'application/json';
  socket.end(`HTTP/1.1 ${response.status} ${response.status === 429 ? 'Too Many Requests' : 'Refused'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** The function the HTTPS server calls on `upgrade`: authenticates, checks the request, then runs the stream. */
export function execUpgrades(backend: KubeApiBackend, slots: StreamSlots): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true, maxPayload: MAX_EXEC_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false,
    handleProtocols: (offered) => (offered.has(V5_PROTOCOL) ? V5_PROTOCOL : false),
  });
  const refusals = new RefusalMemory();
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    void upgrade(wss, backend, slots, refusals, req, socket, head).catch(() => socket.destroy());
  };
}

/**
 * An exec the WebSocket handshake refused (the pod's container not valid, RBAC…), kept a few
 * seconds by seat and URL: kubectl then falls back to SPDY with the same URL, and that request
 * gets the same answer, so kubectl prints it as the apiserver's (`Error from server (Forbidden): …`)
 * without the exec being served (and logged) twice.
 */
class RefusalMemory {
  private readonly refused = new Map<string, { response: ApiResponse; until: number }>();

  remember(key: string, response: ApiResponse): void {
    if (this.refused.size >= MAX_REMEMBERED_REFUSALS) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(key, { response, until: Date.now() + REFUSAL_MEMORY_MS });
  }

  take(key: string): ApiResponse | undefined {
    const kept = this.refused.get(key);
    this.refused.delete(key);
    return kept && kept.until > Date.now() ? kept.response : undefined;
  }
}

const REFUSAL_MEMORY_MS = 10_000;
const MAX_REMEMBERED_REFUSALS = 1024;

async function upgrade(wss: WebSocketServer, backend: KubeApiBackend, slots: StreamSlots, refusals: RefusalMemory, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = req.url ?? '/';
  if (url.length > 8192) return refuseUpgrade(socket, statusResponse(414, 'RequestURITooLong', 'the request URI is too long'));
  const [rawPath = '/', rawQuery = ''] = url.split('?', 2);
  const opened = await backend.open(bearerToken(req.headers.authorization), safeDecode(rawPath));
  if (!('session' in opened)) return refuseUpgrade(socket, opened);
  const { session, path } = opened;
  if (!slots.take(session.key)) return refuseUpgrade(socket, statusResponse(429, 'TooManyRequests', 'too many requests'));
  const match = STREAMING.exec(path);
  if (!match) return refuseUpgrade(socket, statusResponse(400, 'BadRequest', `the server does not stream ${path} over an upgraded connection`));
  const kind = match[2] as 'exec' | 'attach' | 'portforward';
  const offered = String(req.headers.upgrade ?? '').toLowerCase();
  const websocket = offered === 'websocket';
  const remembered = `${session.key} ${url}`;
  if (!websocket) {
    const refused = refusals.take(remembered);
    if (refused) return refuseUpgrade(socket, refused);
    // httpstream/spdy upgrade.go UpgradeResponse.
    if (!offered.includes(SPDY_UPGRADE.toLowerCase())) return refuseUpgrade(socket, statusResponse(400, 'BadRequest', 'unable to upgrade: missing upgrade headers in request'));
  } else if (kind !== 'exec') {
    return refuseUpgrade(socket, statusResponse(400, 'BadRequest', `${kind} is served over SPDY/3.1 (kubectl v1.29's only protocol for it), not WebSocket`));
  } else if (!String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).includes(V5_PROTOCOL)) {
    return refuseUpgrade(socket, statusResponse(400, 'BadRequest', `exec over WebSocket speaks only the ${V5_PROTOCOL} streaming protocol (kubectl v1.29 or later with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)`));
  }
  if (!websocket) {
    const refused = negotiate(req, kind === 'portforward' ? PORT_FORWARD_PROTOCOL : REMOTE_COMMAND_PROTOCOL);
    if (refused) return refuseUpgrade(socket, refused);
  }
  const query = new URLSearchParams(rawQuery);
  const pod = match[1]!;
  const container = query.get('container');
  const tty = query.get('tty') === 'true';
  // Checked before the stream's slot is taken: a bad request opens nothing.
  let opening: ExecOpening = { path: `${pod}/exec`, base: { command: query.getAll('command'), ...(container ? { container } : {}) }, stdin: query.get('stdin') === 'true', tty };
  if (kind === 'exec') {
    const checked = ExecBody.safeParse(opening.base);
    if (!checked.success) return refuseUpgrade(socket, statusResponse(400, 'BadRequest', checked.error.issues.map((i) => i.message).join('; ')));
  }
  if (kind === 'attach' && opening.stdin) {
    // Which process stdin goes to: the pod as it is now, read in the room's turn like any request.
    const read = await session.serve({ method: 'GET', path: pod, query: {}, accept: 'application/json', contentType: '' });
    if (read.status === 0) return void socket.destroy();
    if (read.status !== 200) return refuseUpgrade(socket, read);
    const attached = attachExec(read.body as Json, container ?? undefined);
    if (attached) opening = { ...opening, path: `${pod}/attach`, base: attached };
  }
  /** attach -i to a shell reading stdin runs as that shell's exec stream; any other attach follows the output. */
  const attachesShell = kind === 'attach' && opening.base.attach === true;
  // The stream's slot first: nothing runs for a seat that holds too many streams already.
  let stop: (() => void) | undefined;
  const slot = (): void => (stop ? stop() : undefined);
  const refused = slots.open(session.key, slot);
  if (refused) return refuseUpgrade(socket, refused);
  // A refused handshake never opens the stream: its slot goes back with the socket
  // (at once if the client already went while the request was being opened).
  if (socket.destroyed) {
    slots.close(slot);
    return;
  }
  socket.once('close', () => {
    if (!stop) slots.close(slot);
  });
  const release = (): void => slots.close(slot);
  // What runs before the handshake, so that its refusal is the handshake's answer as the
  // apiserver's is (kubectl's SPDY fallback meets a WebSocket one again, RefusalMemory).
  let ran: ExecRun | undefined;
  let follow: FollowedLog | undefined;
  if (kind === 'portforward') {
    const response = await session.serve(portForwardRequest(`${pod}/portforward`, {}));
    if (response.status === 0) return void socket.destroy();
    if (response.status !== 200) return refuseUpgrade(socket, response);
  } else if (kind === 'attach' && !attachesShell) {
    const followed = await session.followLog({ method: 'GET', path: `${pod}/log`, query: { follow: 'true', tailLines: '0', ...(container ? { container } : {}) }, accept: 'text/plain', contentType: '' });
    if (!('step' in followed)) return followed.status === 0 ? void socket.destroy() : refuseUpgrade(socket, followed);
    follow = followed;
  } else if (!opening.stdin && !attachesShell) {
    const response = await session.serve(execRequest(opening.path, opening.base));
    if (response.status === 0) return void socket.destroy();
    if (response.status !== 200) {
      if (websocket) refusals.remember(remembered, response);
      return refuseUpgrade(socket, response);
    }
    ran = response.body as ExecRun;
  }
  if (websocket) {
    return wss.handleUpgrade(req, socket, head, (ws) => {
      stop = websocketExec(ws, session, opening, slots, release, ran);
    });
  }
  const outputs = { stdout: query.get('stdout') === 'true', stderr: query.get('stderr') === 'true' };
  if (kind === 'portforward') stop = spdyPortForward(socket, head, session, `${pod}/portforward`, slots, release);
  else if (kind === 'attach' && !attachesShell) stop = spdyAttach(socket, head, session, opening.stdin, tty, outputs, follow!, slots, release);
  else stop = spdyExec(socket, head, session, opening, outputs, slots, release, ran);
}

/** Runs one exec over a WebSocket: decodes the v5 channels for the exec; returns the function that ends it. */
function websocketExec(ws: WebSocket, session: KubeApiSession, opening: ExecOpening, slots: StreamSlots, release: () => void, ran?: ExecRun): () => void {
  const channels = { stdout: STDOUT, stderr: STDERR, error: ERROR };
  const exec = runExec({
    write: (stream, data) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channels[stream]]), Buffer.from(data)]));
    },
    close: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      else ws.terminate();
    },
  }, session, opening, slots, release, ran);
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const message = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary) return exec.fail(`${V5_PROTOCOL} messages are binary`);
    if (message.length === 0) return exec.fail('an empty message names no channel');
    const channel = message[0]!;
    const payload = message.subarray(1);
    if (channel === RESIZE) return exec.touch(); // the terminal's size: nothing here lays text out by it
    if (channel === CLOSE) {
      if (payload.length !== 1 || payload[0] !== STDIN) return exec.fail(`a close message names a stream the client writes (stdin), not ${payload[0] ?? 'none'}`);
      return exec.stdinEnd();
    }
    if (channel !== STDIN) return exec.fail(`unknown channel ${channel} (the client writes stdin 0, resize 4 and close 255)`);
    exec.stdin(payload);
  });
  ws.on('close', exec.end);
  ws.on('error', exec.end);
  return exec.end;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
