// `kubectl exec` over the Kubernetes API: the WebSocket side of `pods/NAME/exec` (the pure
// part is kubeapi/exec.ts). kubectl v1.29 speaks SPDY/3.1 unless KUBECTL_REMOTE_COMMAND_
// WEBSOCKETS=true, when it first tries a WebSocket GET offering `v5.channel.k8s.io` and falls
// back to SPDY only if that upgrade fails (kubectl/pkg/cmd/exec/exec.go createExecutor,
// client-go tools/remotecommand/fallback.go). SPDY is not served (no maintained Node
// implementation): its upgrade gets a Status saying to set that variable; port-forward and
// attach, which 1.29 speaks only over SPDY, get one saying they are not served.
//
// v5.channel.k8s.io (client-go tools/remotecommand/websocket.go, v4.go; apimachinery
// pkg/util/remotecommand/constants.go): binary messages whose first byte is the channel: 0
// stdin, 1 stdout, 2 stderr, 3 error (a meta/v1 Status, then the server closes), 4 resize
// (terminal size JSON), and 255 followed by a channel: that stream is closed (stdin's end).
// A request runs as a whole: the command at once (before the handshake, whose refusal is then
// the apiserver's), or with -i once stdin ends; with -it and a
// shell, each typed line is one request to the shell (the terminal is edited here: echo,
// backspace, Ctrl-C, Ctrl-D), the prompt coming back after it. Every request is served by the
// session like any other (a room logs and replays it). Anything else the client sends
// (text, an unknown channel, an oversized message, stdin past MAX_EXEC_STDIN) ends the stream
// with a BadRequest Status on the error channel and runs nothing more.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ExecBody, exitStatus, MAX_EXEC_STDIN, type ExecRun } from '../kubeapi/exec.js';
import type { ApiRequest } from '../kubeapi/handler.js';
import { statusResponse, type ApiResponse } from '../kubeapi/status.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { bearerToken } from './errors.js';
import type { KubeApiBackend, KubeApiSession } from './kube-api.js';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** Largest message a client may send (kubectl writes stdin in 32 KiB reads), and a typed line. */
export const MAX_EXEC_MESSAGE_BYTES = 64 * 1024;
const MAX_LINE_CHARS = 4096;
/** Typed lines waiting for the ones before them to be answered. */
const MAX_PENDING_LINES = 16;
/** An exec stream with nothing from the client this long ends (ms); none lives longer than maxSeconds. */
export const EXEC_IDLE_MS = 10 * 60_000;

const STREAMING = /^(\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+)\/(exec|attach|portforward)$/;

/** What the edge's stream bookkeeping offers an exec: the rate limit, and a slot among the session's open streams. */
export interface StreamSlots {
  take(key: string): boolean;
  /** Registers `end` as one of `key`'s streams, or refuses (too many open). */
  open(key: string, end: () => void): ApiResponse | undefined;
  close(end: () => void): void;
  maxSeconds: number;
}

/** An upgrade request's path is one this handles (exec, attach, port-forward of a pod). */
export const streamingPath = (path: string): boolean => STREAMING.test(path.replace(/^\/rooms\/[^/]+/, ''));

/** The answer to a plain (not upgraded) request for a streaming subresource, as the apiserver gives it. */
export const upgradeRequired = (): ApiResponse => statusResponse(400, 'BadRequest', 'Upgrade request required');

/** Writes `response` as a plain HTTP answer on a socket that asked for an upgrade, and closes it. */
function refuse(socket: Duplex, response: ApiResponse): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const type = response.contentType ?? 'application/json';
  socket.end(`HTTP/1.1 ${response.status} ${response.status === 429 ? 'Too Many Requests' : 'Refused'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** The function the HTTPS server calls on `upgrade`: authenticates, checks the request, then runs the exec stream. */
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
  if (url.length > 8192) return refuse(socket, statusResponse(414, 'RequestURITooLong', 'the request URI is too long'));
  const [rawPath = '/', rawQuery = ''] = url.split('?', 2);
  const opened = await backend.open(bearerToken(req.headers.authorization), safeDecode(rawPath));
  if (!('session' in opened)) return refuse(socket, opened);
  const { session, path } = opened;
  if (!slots.take(session.key)) return refuse(socket, statusResponse(429, 'TooManyRequests', 'too many requests'));
  const match = STREAMING.exec(path);
  if (!match) return refuse(socket, statusResponse(400, 'BadRequest', `the server does not stream ${path} over an upgraded connection`));
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (match[2] !== 'exec') {
    return refuse(socket, statusResponse(400, 'BadRequest', match[2] === 'portforward'
      ? 'port-forward is not served by this API (kubectl 1.29 speaks it over SPDY only); use kubectl port-forward in the room\'s terminal'
      : 'attach is not served by this API; use kubectl attach in the room\'s terminal'));
  }
  const remembered = `${session.key} ${url}`;
  if (!websocket) {
    const refused = refusals.take(remembered);
    if (refused) return refuse(socket, refused);
    return refuse(socket, statusResponse(400, 'BadRequest', 'exec is served over WebSocket only, not SPDY: run kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true'));
  }
  if (!String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).includes(V5_PROTOCOL)) {
    return refuse(socket, statusResponse(400, 'BadRequest', `exec speaks only the ${V5_PROTOCOL} streaming protocol (kubectl v1.29 or later with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)`));
  }
  const query = new URLSearchParams(rawQuery);
  const container = query.get('container');
  const request: ExecOpening = {
    path: `${match[1]}/exec`,
    base: { command: query.getAll('command'), ...(container ? { container } : {}) },
    stdin: query.get('stdin') === 'true',
    tty: query.get('tty') === 'true',
  };
  // Checked here (the body schema checks again where it is served): a bad request opens no stream.
  const checked = ExecBody.safeParse(request.base);
  if (!checked.success) return refuse(socket, statusResponse(400, 'BadRequest', checked.error.issues.map((i) => i.message).join('; ')));
  // The stream's slot first: nothing runs for a seat that holds too many streams already.
  let stop: (() => void) | undefined;
  const slot = (): void => (stop ? stop() : undefined);
  const refused = slots.open(session.key, slot);
  if (refused) return refuse(socket, refused);
  // A handshake refused (below, or by ws) never opens the stream: its slot goes back with the socket
  // (at once if the client already went while the request was being opened).
  if (socket.destroyed) {
    slots.close(slot);
    return;
  }
  socket.once('close', () => {
    if (!stop) slots.close(slot);
  });
  // A command without stdin is served before the handshake: a refusal is then the handshake's
  // answer, as the apiserver's is (kubectl's SPDY fallback meets it again, RefusalMemory).
  let ran: ExecRun | undefined;
  if (!request.stdin) {
    const response = await session.serve(execRequest(request.path, request.base));
    if (response.status === 0) return void socket.destroy();
    if (response.status !== 200) {
      refusals.remember(remembered, response);
      return refuse(socket, response);
    }
    ran = response.body as ExecRun;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    stop = runStream(ws, session, request, slots, () => slots.close(slot), ran);
  });
}

interface ExecOpening {
  path: string;
  base: ExecBody;
  stdin: boolean;
  tty: boolean;
}

const isShell = (word: string): boolean => /^(\/bin\/)?(ba)?sh$/.test(word);

/** Runs one exec stream; returns the function that ends it (the server closes, the session's slot is taken back). */
/** The request an exec stream sends its session: the whole command, as kubeapi/exec.ts takes it. */
const execRequest = (path: string, body: ExecBody): ApiRequest => ({ method: 'POST', path, query: {}, accept: 'application/json', contentType: 'application/json', body: body as unknown as Json });

/** Runs one exec stream (`ran`: the command already served before the handshake); returns the function that ends it. */
function runStream(ws: WebSocket, session: KubeApiSession, opening: ExecOpening, slots: StreamSlots, release: () => void, ran?: ExecRun): () => void {
  let ended = false;
  let busy: Promise<void> = Promise.resolve();
  const send = (channel: number, data: string | Buffer): void => {
    if (!ended && ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    clearTimeout(lifetime);
    release();
    if (ws.readyState === ws.OPEN) ws.close(1000);
    else ws.terminate();
  };
  /** The error stream's Status, then the end (kubectl returns once it has read it). */
  const finish = (status: Json): void => {
    send(ERROR, JSON.stringify(status));
    end();
  };
  const fail = (message: string): void => finish(statusResponse(400, 'BadRequest', message).body as Json);
  let idle = setTimeout(() => fail('exec stream idle for too long'), EXEC_IDLE_MS);
  const lifetime = setTimeout(() => fail('exec stream open for too long'), slots.maxSeconds * 1000);

  /** Requests queued and not answered yet: typing ahead is bounded. */
  let pending = 0;
  /** Serves one request of the stream in order: its run, or the refusal (the stream then ends). */
  const serve = (body: ExecBody | (() => ExecBody), then: (run: ExecRun) => void): void => {
    if (++pending > MAX_PENDING_LINES) return fail(`more than ${MAX_PENDING_LINES} lines typed ahead`);
    busy = busy.then(async () => {
      pending--;
      if (ended) return;
      // The seat's token went (a new kubeconfig, the seat left, the room ended): so does its shell.
      if (session.live && !session.live()) return end();
      // Each request of the stream (a typed line) counts against the seat's rate, as any request does.
      if (!slots.take(session.key)) return fail('too many requests: slow down');
      const response = await session.serve(execRequest(opening.path, typeof body === 'function' ? body() : body));
      if (ended) return;
      if (response.status === 200) return then(response.body as ExecRun);
      if (response.status === 0) return end();
      // A refusal before the command ran, as kubectl prints an upgrade's: a Status's message, or the kubelet's text.
      finish(typeof response.body === 'string'
        ? statusResponse(response.status, '', `unable to upgrade connection: ${response.body}`).body as Json
        : response.body as Json);
    }).catch(() => fail('exec failed'));
  };
  /** A whole run's output, then its exit status. */
  const report = (run: ExecRun): void => {
    if (run.stdout !== '') send(STDOUT, tty(run.stdout));
    if (run.stderr !== '') send(opening.tty ? STDOUT : STDERR, tty(run.stderr));
    finish(exitStatus(run));
  };
  const tty = (text: string): string => (opening.tty ? text.replaceAll('\n', '\r\n') : text);

  const lineMode = opening.tty && opening.stdin && opening.base.command.length === 1 && isShell(opening.base.command[0]!);
  let stdin = '';
  let stdinClosed = false;
  let line = '';
  /** The open shell's state after its last line, sent with the next (each line is a request of its own). */
  let carried: Pick<ExecBody, 'cwd' | 'vars'> = {};
  const prompted = (run: ExecRun): void => {
    if (run.prompt === undefined) return report(run);
    if (run.stdout !== '') send(STDOUT, tty(run.stdout));
    send(STDOUT, run.prompt);
    carried = { ...(run.cwd !== undefined ? { cwd: run.cwd } : {}), ...(run.vars ? { vars: run.vars } : {}) };
  };
  /** A line for the shell: served after the lines before it, with the state they left. */
  const shellLine = (stdin: string): void => serve(() => ({ ...opening.base, tty: true, stdin, ...carried }), prompted);
  /** Echo in order with the lines' output (a transcript reads as typed). */
  const echo = (text: string): void => {
    busy = busy.then(() => send(STDOUT, text));
  };
  if (ran) report(ran);
  else if (lineMode) shellLine('');

  /** A message of typed keys in line mode: the terminal's line discipline, as a pty in cooked mode with echo. */
  const typed = (text: string): void => {
    let shown = '';
    const request = (stdin: string): void => {
      echo(shown);
      shown = '';
      shellLine(stdin);
    };
    for (const ch of text) {
      if (ended) return;
      if (ch === '\r' || ch === '\n') {
        shown += '\r\n';
        request(`${line}\n`);
        line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (line === '') continue;
        line = line.slice(0, -1);
        shown += '\b \b';
      } else if (ch === '\x03') {
        line = '';
        shown += '^C\r\n';
        request('');
      } else if (ch === '\x04') {
        if (line === '') request('exit\n');
      } else if (ch >= ' ' || ch === '\t') {
        if (line.length >= MAX_LINE_CHARS) return fail(`a typed line is at most ${MAX_LINE_CHARS} characters`);
        line += ch;
        shown += ch;
      }
    }
    if (shown !== '') echo(shown);
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (ended) return;
    clearTimeout(idle);
    idle = setTimeout(() => fail('exec stream idle for too long'), EXEC_IDLE_MS);
    const message = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary) return fail(`${V5_PROTOCOL} messages are binary`);
    if (message.length === 0) return fail('an empty message names no channel');
    const channel = message[0]!;
    const payload = message.subarray(1);
    if (channel === RESIZE) return; // the terminal's size: nothing here lays text out by it
    if (channel === CLOSE) {
      if (payload.length !== 1 || payload[0] !== STDIN) return fail(`a close message names a stream the client writes (stdin), not ${payload[0] ?? 'none'}`);
      if (!opening.stdin || lineMode || stdinClosed) return;
      stdinClosed = true;
      return serve({ ...opening.base, stdin }, report);
    }
    if (channel !== STDIN) return fail(`unknown channel ${channel} (the client writes stdin 0, resize 4 and close 255)`);
    if (!opening.stdin || stdinClosed) return fail(opening.stdin ? 'stdin was closed' : 'stdin was not requested');
    const text = payload.toString('utf8');
    if (lineMode) return typed(text);
    // A raw terminal never closes stdin: Ctrl-D ends it.
    if (opening.tty && text.includes('\x04')) {
      stdinClosed = true;
      const body = { ...opening.base, stdin: stdin + text.slice(0, text.indexOf('\x04')) };
      return serve(body, report);
    }
    if (stdin.length + text.length > MAX_EXEC_STDIN) return fail(`stdin of an exec is at most ${MAX_EXEC_STDIN / 1024} KiB`);
    stdin += text;
  });
  ws.on('close', end);
  ws.on('error', end);
  return end;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
