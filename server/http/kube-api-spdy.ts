// exec, attach and port-forward over SPDY/3.1, kubectl v1.29's default for all three (client-go
// transport/spdy, tools/remotecommand, tools/portforward): the 101 answer to `Upgrade: SPDY/3.1`
// names the protocol negotiated from the client's X-Stream-Protocol-Version headers
// (apimachinery httpstream.Handshake), then the client opens the streams (spdy/connection.ts).
//
// exec and attach speak v4.channel.k8s.io (kubelet cri/streaming/remotecommand/httpstream.go):
// one stream per `streamtype` header, `error`, then `stdin`, `stdout`, `stderr` (not with a tty)
// and `resize` (with one) as the URL asked; the exec starts once all are there (kubelet waits 30 s,
// then closes). stdout and stderr carry the output, each closed with FIN; the error stream
// carries the v4 Status (a Success too) and its FIN; then GOAWAY. The exec itself is
// exec-session.ts, as over WebSocket. attach writes what the container prints from now on (its
// followed log) to stdout until the container ends (Success) or the stream's time is up.
//
// port-forward speaks portforward.k8s.io (kubelet cri/streaming/portforward/httpstream.go): each
// local connection is a pair of streams, `error` and `data`, sharing `requestid` and `port`. The
// data stream's first bytes, the HTTP request head, go to the session as one request
// (kubeapi/portforward.ts: a room event, replayed); what the pod's listener writes back goes on
// the data stream, a refusal's text on the error stream (kubectl prints it as "an error occurred
// forwarding L -> R: …"), then both close.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_FORWARDED_REQUEST, portForwardRequest, type PortForwardAnswer } from '../kubeapi/portforward.js';
import { exitStatus, type ExecRun } from '../kubeapi/exec.js';
import type { ApiResponse } from '../kubeapi/status.js';
import { EXEC_IDLE_MS, runExec, type ExecInput, type ExecOpening, type StreamSlots } from './exec-session.js';
import type { FollowedLog, KubeApiSession } from './kube-api.js';
import { SpdyConnection, type SpdyHandlers, type SpdyStream } from './spdy/connection.js';

export const SPDY_UPGRADE = 'SPDY/3.1';
export const REMOTE_COMMAND_PROTOCOL = 'v4.channel.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
const PROTOCOL_HEADER = 'X-Stream-Protocol-Version';

/** kubelet's wait for a client's streams (streamCreationTimeout), in ms. */
const STREAM_CREATION_MS = 30_000;
/** Steps of an attach's followed log (the edge's watch step). */
const ATTACH_STEP_MS = 200;

/** httpstream.Handshake: the client must offer the one protocol served, else the apiserver's 403 text. */
export function negotiate(req: IncomingMessage, protocol: string): ApiResponse | undefined {
  const offered = String(req.headers[PROTOCOL_HEADER.toLowerCase()] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (offered.length === 0) return { status: 400, contentType: 'text/plain; charset=utf-8', body: `unable to upgrade: ${PROTOCOL_HEADER} is required\n` };
  if (offered.includes(protocol)) return undefined;
  return { status: 403, contentType: 'text/plain; charset=utf-8', body: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${protocol}]\n` };
}

/** Answers the upgrade (101) and reads the connection's frames, those that came with the request first. */
function acceptSpdy(socket: Duplex, head: Buffer, protocol: string, handlers: SpdyHandlers): SpdyConnection {
  const connection = new SpdyConnection(socket, handlers);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_UPGRADE}\r\n${PROTOCOL_HEADER}: ${protocol}\r\n\r\n`);
  connection.start(head);
  return connection;
}

type Outputs = { stdout: boolean; stderr: boolean };

/**
 * Collects a remote command's streams (kubelet v4 waitForStreams): the connection's streams by
 * type, `ready` once all `expected` are open. A stream of another type, or twice, is refused.
 */
function remoteCommandStreams(socket: Duplex, head: Buffer, expected: string[], ready: (streams: Map<string, SpdyStream>, connection: SpdyConnection) => void, closed: () => void): SpdyConnection {
  const streams = new Map<string, SpdyStream>();
  const waiting = setTimeout(() => connection.goAway(), STREAM_CREATION_MS);
  const connection = acceptSpdy(socket, head, REMOTE_COMMAND_PROTOCOL, {
    stream: (stream) => {
      const type = stream.headers.get('streamtype') ?? '';
      if (!expected.includes(type) || streams.has(type)) return false;
      streams.set(type, stream);
      if (streams.size === expected.length) {
        clearTimeout(waiting);
        // After this stream's SYN_REPLY: the client drops data on a stream it has no reply for.
        queueMicrotask(() => ready(streams, connection));
      }
      return true;
    },
    closed: () => {
      clearTimeout(waiting);
      closed();
    },
  });
  return connection;
}

const expectedStreams = (stdin: boolean, outputs: Outputs, tty: boolean): string[] =>
  ['error', ...(stdin ? ['stdin'] : []), ...(outputs.stdout ? ['stdout'] : []), ...(outputs.stderr && !tty ? ['stderr'] : []), ...(tty ? ['resize'] : [])];

/** Ends a remote command: FIN on the streams the server writes, then GOAWAY. */
function closeAll(streams: Map<string, SpdyStream>, connection: SpdyConnection): void {
  for (const type of ['stdout', 'stderr', 'error']) streams.get(type)?.end();
  connection.goAway();
}

/** Runs one exec over SPDY (`ran`: the command served before the handshake); returns the function that ends it. */
export function spdyExec(socket: Duplex, head: Buffer, session: KubeApiSession, opening: ExecOpening, outputs: Outputs, slots: StreamSlots, release: () => void, ran?: ExecRun): () => void {
  let exec: ExecInput | undefined;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    if (exec) exec.end();
    else {
      release();
      connection.goAway();
    }
  };
  const connection = remoteCommandStreams(socket, head, expectedStreams(opening.stdin, outputs, opening.tty), (streams) => {
    if (ended) return;
    exec = runExec({ write: (type, data) => streams.get(type)?.write(data), close: () => closeAll(streams, connection) }, session, opening, slots, release, ran);
    const input = exec;
    for (const [type, stream] of streams) {
      stream.onReset = end;
      if (type === 'stdin') {
        stream.onData = (data) => input.stdin(data);
        stream.onEnd = () => input.stdinEnd();
      } else if (type === 'resize') {
        stream.onData = () => input.touch(); // the terminal's size: nothing here lays text out by it
      } else {
        stream.onData = () => input.fail(`the ${type} stream is written by the server, not the client`);
      }
    }
  }, end);
  return end;
}

/** Runs one attach over SPDY: the container's output from now on (`follow`'s text, then each of its steps), until it ends. */
export function spdyAttach(socket: Duplex, head: Buffer, session: KubeApiSession, stdin: boolean, tty: boolean, outputs: Outputs, follow: FollowedLog, slots: StreamSlots, release: () => void): () => void {
  let ended = false;
  let step: NodeJS.Timeout | undefined;
  let out: Map<string, SpdyStream> | undefined;
  const lifetime = setTimeout(() => finish(), slots.maxSeconds * 1000);
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(step);
    clearTimeout(lifetime);
    release();
    if (out) closeAll(out, connection);
    else connection.goAway();
  };
  /** The container ended (or the stream's time is up): a Success Status, as the kubelet's attach ends. */
  const finish = (): void => {
    out?.get('error')?.write(JSON.stringify(exitStatus({ stdout: '', stderr: '', exitCode: 0 })));
    end();
  };
  const write = (text: string): void => {
    if (text !== '') out?.get('stdout')?.write(tty ? text.replaceAll('\n', '\r\n') : text);
  };
  const connection = remoteCommandStreams(socket, head, expectedStreams(stdin, outputs, tty), (streams) => {
    if (ended) return;
    out = streams;
    for (const stream of streams.values()) stream.onReset = end;
    // A process that reads no stdin: what the client sends is dropped, as containerd drops it.
    const input = streams.get('stdin');
    if (input) input.onData = () => undefined;
    write(follow.text);
    let stepping = false;
    step = setInterval(() => {
      if (stepping) return;
      if (session.live && !session.live()) return end();
      stepping = true;
      void follow.step().then((more) => (more === undefined ? finish() : write(more)), end).finally(() => {
        stepping = false;
      });
    }, ATTACH_STEP_MS);
  }, end);
  return end;
}

/** One forwarded connection: its two streams and what the client wrote so far. */
interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  request: Buffer[];
  bytes: number;
  /** The request head's blank line came, and the last 3 bytes so far (it may be cut between two frames). */
  headEnded: boolean;
  tail: string;
  answered: boolean;
  timer: NodeJS.Timeout;
}

/** Requests whose pair is still incomplete (kubelet keeps them streamCreationTimeout). */
const MAX_PENDING_PAIRS = 8;

/** Runs one port-forward over SPDY; returns the function that ends it. */
export function spdyPortForward(socket: Duplex, head: Buffer, session: KubeApiSession, path: string, slots: StreamSlots, release: () => void): () => void {
  const pairs = new Map<string, Pair>();
  let ended = false;
  let queue: Promise<void> = Promise.resolve();
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    clearTimeout(lifetime);
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    release();
    connection.goAway();
  };
  let idle = setTimeout(end, EXEC_IDLE_MS);
  const lifetime = setTimeout(end, slots.maxSeconds * 1000);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(end, EXEC_IDLE_MS);
  };
  /** Both streams of the pair close (kubelet's portForward defers both Close calls). */
  const close = (pair: Pair, error?: string): void => {
    if (error !== undefined) pair.error?.write(error);
    pair.data?.end();
    pair.error?.end();
  };
  /** Serves the connection's request once its head is in (or the client stopped writing): one request of the session, in order. */
  const answer = (pair: Pair): void => {
    if (pair.answered || !pair.data || !pair.error) return;
    // Each frame is scanned once as it comes (see onData): a head trickled in a byte a frame costs its length, not its square.
    if (!pair.headEnded && !pair.data.remoteClosed && pair.bytes < MAX_FORWARDED_REQUEST) return;
    pair.answered = true;
    const text = Buffer.concat(pair.request).toString('latin1');
    const port = Number(pair.data.headers.get('port'));
    queue = queue.then(async () => {
      if (ended) return;
      if (session.live && !session.live()) return end();
      // Each forwarded connection counts against the seat's rate, as any request does.
      if (!slots.take(session.key)) return close(pair, 'too many requests: slow down');
      const request = text.slice(0, MAX_FORWARDED_REQUEST);
      const response = await session.serve(portForwardRequest(path, { port, ...(request !== '' ? { request } : {}) }));
      if (ended) return;
      if (response.status === 0) return end();
      if (response.status !== 200) {
        const body = response.body as { message?: unknown } | string;
        return close(pair, typeof body === 'string' ? body : String(body.message ?? response.status));
      }
      const got = response.body as unknown as PortForwardAnswer;
      if (got.data !== '') pair.data!.write(got.data);
      close(pair, got.error);
    }).catch(() => close(pair, 'port-forward failed'));
  };
  const connection = acceptSpdy(socket, head, PORT_FORWARD_PROTOCOL, {
    // httpStreamReceived: a port (1..65535) and a stream type, error or data, on every stream.
    stream: (stream) => {
      if (ended) return false;
      touch();
      const portText = stream.headers.get('port') ?? '';
      const type = stream.headers.get('streamtype') ?? '';
      if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535 || (type !== 'error' && type !== 'data')) return false;
      // Older clients send no requestid: the kubelet pairs by stream id (error N, data N+2).
      const id = stream.headers.get('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
      let pair = pairs.get(id);
      if (!pair) {
        if (pairs.size >= MAX_PENDING_PAIRS) return false;
        const timer = setTimeout(() => {
          pairs.delete(id);
          close(fresh, `(request=${id}) timed out waiting for streams`);
        }, STREAM_CREATION_MS);
        const fresh: Pair = { request: [], bytes: 0, headEnded: false, tail: '', answered: false, timer };
        pair = fresh;
        pairs.set(id, pair);
      }
      if (pair[type] !== undefined) return false;
      pair[type] = stream;
      const current = pair;
      stream.onReset = () => close(current);
      if (type === 'data') {
        stream.onData = (data) => {
          touch();
          if (current.answered || current.bytes >= MAX_FORWARDED_REQUEST) return;
          current.request.push(data);
          current.bytes += data.length;
          const seen = current.tail + data.toString('latin1', 0, Math.min(data.length, MAX_FORWARDED_REQUEST));
          current.headEnded ||= seen.includes('\r\n\r\n');
          current.tail = seen.slice(-3);
          answer(current);
        };
        stream.onEnd = () => answer(current);
      }
      if (current.error && current.data) {
        clearTimeout(current.timer);
        pairs.delete(id);
        queueMicrotask(() => answer(current));
      }
      return true;
    },
    closed: end,
  });
  return end;
}
