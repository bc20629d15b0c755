// A kube API request for a room another process owns (several processes, server/fleet) is
// passed to the owner's own kube API listener over a connection made for it, and answered
// exactly as the owner answers: status, headers and body as they come, a watch or a followed
// log streamed as it is written, an upgraded exec connection relayed byte for byte both ways
// (the owner's 101 or its refusal included). The owner checks the bearer token itself: the
// hop adds nothing a client could not send but the client's address (X-Forwarded-For) and
// the mark that makes it the last hop.
//
// Why Node's http and tls rather than @fastify/http-proxy or @fastify/reply-from: the target
// is a connection the gateway opened to a lease's owner (never an address from the request),
// an upgrade must be relayed as bytes (http-proxy's WebSocket mode ends the WebSocket here and
// opens another, which changes what kubectl sees of a refused handshake), and neither is in the
// dependencies; piping a request and a socket is a few lines of core Node.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

/** Marks a forwarded request: the process receiving it serves it or refuses, never forwards it again. */
export const FORWARDED_HEADER = 'x-kubedrill-forwarded';
/** Longest connecting to the owner may take before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 1_000;
/** Connection-level headers: meant for one hop, never passed on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'x-forwarded-for', FORWARDED_HEADER]);

/** A connection to another process's kube API, and the client's address to pass on. */
export interface Forward {
  connection: TLSSocket;
  forwardedFor: string;
}

/**
 * A TLS connection to the kube API at `url`, verified against `ca` under `serverName` (every
 * process serves the same certificate); rejects when it cannot be reached in time.
 */
export function connectKubeApi(url: string, ca: string, serverName: string): Promise<TLSSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || 443, ca, servername: serverName });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('connecting to the owner timed out')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** The header pairs of `raw` (name, value, name, value…) without the hop-by-hop ones. */
function passedOn(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** Ends a forward once, whichever side reports it first: the owner's connection (and `client`) go, and `done` is told. */
function ender(connection: TLSSocket, done: () => void, client?: Duplex): () => void {
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    connection.destroy();
    client?.destroy();
    done();
  };
}

/** Sends `req` to the owner over `to` and its answer back on `res`; `done` once both are over. */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, to: Forward, done: () => void): void {
  const { connection } = to;
  const end = ender(connection, done);
  // The client left while the owner was looked up: nothing to forward (its close came and went).
  if (req.socket.destroyed) return end();
  const headers = [...passedOn(req.rawHeaders), 'X-Forwarded-For', to.forwardedFor, FORWARDED_HEADER, '1', 'Connection', 'close'];
  // A chunked body stays chunked on the hop, whatever the method: unframed, a GET's or a
  // DELETE's body would reach the owner as the start of another request.
  if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked');
  const upstream = httpRequest({ createConnection: () => connection, method: req.method, path: req.url, headers: headers as unknown as IncomingHttpHeaders });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, passedOn(answer.rawHeaders));
    res.flushHeaders(); // a watch's client learns it is open before the first event
    answer.pipe(res);
    answer.once('end', end);
    answer.once('aborted', () => res.destroy());
  });
  // The owner dropped the connection (its apiserver is down, or it died): so does this hop.
  upstream.once('error', () => {
    res.destroy();
    end();
  });
  res.once('close', () => {
    upstream.destroy();
    end();
  });
  req.pipe(upstream);
}

/** Relays an upgrade request (exec over WebSocket) to the owner over `to`, and then every byte both ways. */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, to: Forward, done: () => void): void {
  const { connection } = to;
  const end = ender(connection, done, client);
  if (client.destroyed) return end();
  // The upgrade's own Connection and Upgrade headers go on: the owner answers the handshake.
  const kept: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (name !== 'x-forwarded-for' && name !== FORWARDED_HEADER) kept.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  kept.push(`X-Forwarded-For: ${to.forwardedFor}`, `${FORWARDED_HEADER}: 1`);
  connection.write(`${req.method} ${req.url} HTTP/1.1\r\n${kept.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) connection.write(head);
  connection.pipe(client);
  client.pipe(connection);
  for (const side of [connection, client]) {
    side.once('error', end);
    side.once('close', end);
  }
}
