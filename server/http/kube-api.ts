// The Kubernetes REST API over HTTP (fastify): the edge around server/kubeapi/handler.ts. A
// backend turns the bearer token into a session (one cluster for `kubedrill api`; a seat of a
// game room, room-kube-api.ts); the edge bounds and validates what arrives (zod over the query,
// bodies at most 3 MiB like the apiserver's limit, JSON only (an apply patch may be YAML), a request rate and a watch cap per
// session, at most MAX_CONNECTIONS_PER_ADDRESS connections per client address) and answers every refusal as a meta/v1 Status, so kubectl prints a clear error; it
// streams watches (at most MAX_WATCHES at once, each at most MAX_WATCH_SECONDS), and exec, attach
// and port-forward over SPDY/3.1 or WebSocket (kube-api-exec.ts) within the same caps.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { normalizeIP } from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ClusterState } from '../cluster/types.js';
import { apiUnavailable } from '../cluster/api.js';
import { handleApiRequest, isLogFollow, isWatch, startLogFollow, startWatch, type ApiRequest } from '../kubeapi/handler.js';
import { logStep } from '../kubeapi/logs.js';
import { AddressLimiter } from '../socket/rate-limit.js';
import { watchStep, type WatchEvent } from '../kubeapi/watch.js';
import { statusResponse, type ApiResponse } from '../kubeapi/status.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { parseYaml } from '../shell/kubectl/commands/apply.js';
import { bearerToken } from './errors.js';
import { ConnectionCap } from './connection-cap.js';
import { execUpgrades, refuseUpgrade, streamingPath, upgradeRequired } from './kube-api-exec.js';
import { forwardRequest, forwardUpgrade, type Forward } from './kube-api-forward.js';

/** The apiserver's own request body limit (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_PATH_CHARS = 2048;

/** Query parameters: plain strings (a repeated key is refused), bounded in number and size. */
const QuerySchema = z.record(z.string().max(64), z.string().max(4096)).refine((q) => Object.keys(q).length <= 32, 'too many query parameters');

/** A watch compares the listing with what it reported this often (ms of wall time). */
const WATCH_STEP_MS = 200;
/** Watches and followed logs open at once (a client opening more is refused), and the longest one (s). */
const MAX_WATCHES = 64;
const MAX_WATCH_SECONDS = 1800;
/** Requests and streams being forwarded to other processes at once (with the owner look-ups before them). */
export const MAX_FORWARDS = 512;
/** Connections one client address may hold open at once (kubectl opens a few; a watch or exec holds one each). */
export const MAX_CONNECTIONS_PER_ADDRESS = 64;

const BODY_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** A body as JSON; an apply patch may also be one YAML document (kubectl sends JSON, which is YAML). */
function parseBody(contentType: string, body: string): Json {
  try {
    return JSON.parse(body) as Json;
  } catch (error) {
    if (!contentType.startsWith('application/apply-patch+yaml')) throw new Error(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
    const parsed = parseYaml(body);
    if (!parsed.ok) throw new Error(`error converting YAML to JSON: ${parsed.error}`);
    if (parsed.docs.length !== 1) throw new Error('error decoding YAML: the body must hold exactly one document');
    return parsed.docs[0]!;
  }
}

/** A watch that opened: its first events, and what came since at each step (undefined: it ended). */
export interface OpenedWatch {
  events: WatchEvent[];
  step(): Promise<WatchEvent[] | undefined>;
}

/** A followed log that opened: its text so far, and what came since at each step (undefined: it ended). */
export interface FollowedLog {
  text: string;
  step(): Promise<string | undefined>;
}

/** Whom a token stands for: answers its requests, opens its watches. */
export interface KubeApiSession {
  /** Whom the rate limit and the watch cap count for (one cluster's token; a room's seat, whichever of its tokens). */
  key: string;
  serve(req: ApiRequest): Promise<ApiResponse>;
  watch(req: ApiRequest): Promise<OpenedWatch | ApiResponse>;
  /** `pods/NAME/log?follow=true` (isLogFollow): the text so far, then what the container writes at each step (undefined: it ended), or the answer. */
  followLog(req: ApiRequest): Promise<FollowedLog | ApiResponse>;
  /** Whether a stream the session opened goes on (its token still opens it…); absent: while the server runs. */
  live?(): boolean;
}

/** Where requests go: one cluster (`kubedrill api`) or the game server's rooms (room-kube-api.ts). */
export interface KubeApiBackend {
  /** The session of the request's bearer token and the API path it asks for, or the refusal. */
  open(token: string | undefined, path: string): Promise<{ session: KubeApiSession; path: string } | ApiResponse>;
}

export interface KubeApiOptions {
  backend: KubeApiBackend;
  /** Serve HTTPS with this key and certificate (kubectl sends a bearer token only over TLS). */
  tls?: ServingCert;
  /** Largest request body (default the apiserver's 3 MiB). */
  bodyLimit?: number;
  /** Watches and followed logs open at once in this server (default MAX_WATCHES). */
  maxWatches?: number;
  /** Requests per minute a session may send (default unlimited), and watches it may hold open (default MAX_WATCHES). */
  perSessionPerMinute?: number;
  watchesPerSession?: number;
  /**
   * Several processes: where a request goes before anything of it is read. undefined: served
   * here; a connection to the process that serves it; or the refusal.
   */
  forward?: (req: IncomingMessage) => Promise<Forward | ApiResponse | undefined>;
  /** Forwards at once (default MAX_FORWARDS). */
  maxForwards?: number;
}

/** Options of one cluster's API (`kubedrill api`, the differential suite). */
export interface ClusterApiOptions {
  /** The cluster the API answers for (read at each request). */
  state: () => ClusterState;
  /** The bearer token every request must carry. */
  token: string;
  /** Called before each request and each step of a watch: lets simulated time catch up with the wall clock. */
  beforeRequest?: () => void;
}

/** One cluster behind one token: every request is answered by the pure handler on its state. */
export function clusterBackend(options: ClusterApiOptions): KubeApiBackend {
  const session: KubeApiSession = {
    key: 'cluster',
    serve: async (req) => {
      options.beforeRequest?.();
      return handleApiRequest(options.state(), req);
    },
    watch: async (req) => {
      options.beforeRequest?.();
      const opened = startWatch(options.state(), req);
      if (!opened.ok) return opened.response;
      return {
        events: opened.events,
        step: async () => {
          options.beforeRequest?.();
          const state = options.state();
          // The apiserver went down: the stream ends, and the client's next request meets the outage.
          return apiUnavailable(state) ? undefined : watchStep(state, opened.cursor);
        },
      };
    },
    followLog: async (req) => {
      options.beforeRequest?.();
      const log = startLogFollow(options.state(), req);
      if (!log) return handleApiRequest(options.state(), req);
      return {
        text: log.text,
        step: async () => {
          options.beforeRequest?.();
          const state = options.state();
          return apiUnavailable(state) ? undefined : logStep(state, log.follow);
        },
      };
    },
  };
  return {
    open: async (token, path) => (tokenMatches(token, options.token) ? { session, path } : statusResponse(401, 'Unauthorized', 'Unauthorized')),
  };
}

export interface ServingCert {
  key: string;
  cert: string;
}

/**
 * A self-signed serving certificate for 127.0.0.1 and localhost (and `names`), made at start:
 * the kubeconfig carries it as the cluster's certificate authority, so kubectl verifies it.
 */
export async function selfSignedCert(names: readonly string[] = []): Promise<ServingCert> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, ...names.map((value) => ({ type: 2 as const, value }))] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function send(reply: FastifyReply, response: ApiResponse): FastifyReply {
  if (response.status === 0) {
    // The apiserver is down: the connection drops, as a refused one would for kubectl.
    reply.raw.socket?.destroy();
    return reply;
  }
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  if (response.warning !== undefined) reply.header('warning', `299 - ${JSON.stringify(response.warning)}`);
  return reply.code(response.status).header('content-type', response.contentType ?? 'application/json').header('cache-control', 'no-cache, private').send(text);
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The per-address connection cap: a connection counts for its peer's address from its first
 * byte (balancers pass this listener's TLS through, so the peer is the client; no
 * X-Forwarded-For is believed), and one over the cap is closed at once. With several
 * processes the others forward their clients' requests from their own address: the cap is
 * then what one of them may forward at once (MAX_FORWARDS).
 */
function limitConnections(app: FastifyInstance, perAddress: number): void {
  const cap = new ConnectionCap(perAddress);
  app.server.on('connection', (socket: Socket) => {
    if (!cap.take(normalizeIP(socket.remoteAddress ?? ''), socket)) socket.destroy();
  });
}

/** Longest a client may take to send a request's headers. */
const HEADERS_TIMEOUT_MS = 10_000;

export function buildKubeApi(options: KubeApiOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? MAX_BODY_BYTES, logger: false, routerOptions: { maxParamLength: MAX_PATH_CHARS },
    // A TLS handshake that does not finish within the headers' time frees its connection (Node's default is 120 s: 64 silent sockets locked an address out for two minutes).
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert, handshakeTimeout: HEADERS_TIMEOUT_MS } } : {}),
  }) as unknown as FastifyInstance;
  // A client sending its headers a byte at a time (slowloris) held a connection a minute each
  // (Node's default); kubectl sends them at once.
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  limitConnections(app, options.forward ? Math.max(MAX_CONNECTIONS_PER_ADDRESS, options.maxForwards ?? MAX_FORWARDS) : MAX_CONNECTIONS_PER_ADDRESS);
  app.removeAllContentTypeParsers();
  // Bodies are read here and parsed in `handle`, once the token names a session and its rate
  // limit allows the request: parsing costs, and nobody unknown may spend it.
  app.addContentTypeParser(BODY_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return send(reply, statusResponse(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${options.bodyLimit ?? MAX_BODY_BYTES}`));
    if (status === 415) return send(reply, statusResponse(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${BODY_TYPES.join(', ')}`));
    if (status >= 400 && status < 500) return send(reply, statusResponse(status, 'BadRequest', error.message));
    return send(reply, statusResponse(500, 'InternalError', 'an error on the server has prevented the request from succeeding'));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, statusResponse(404, 'NotFound', 'the server could not find the requested resource', {})));

  // Open watches, each ended by its function (the client left, its time ran out, the server closes).
  const watches = new Map<() => void, string>();
  const watchesOf = (key: string): number => [...watches.values()].filter((k) => k === key).length;
  // preClose: before the server waits for its connections to end, which a watch never does by itself.
  app.addHook('preClose', async () => {
    for (const end of [...watches.keys()]) end();
  });
  const perSession = options.perSessionPerMinute !== undefined ? new AddressLimiter(options.perSessionPerMinute, Number.MAX_SAFE_INTEGER) : undefined;

  /**
   * Streams `first`, then what `step` gives as simulated time passes, until it says the stream
   * ended (undefined), the client leaves or `seconds` pass. Counted as one of the session's watches.
   */
  const stream = (request: FastifyRequest, reply: FastifyReply, key: string, contentType: string, first: string, next: () => Promise<string | undefined>, seconds: number): FastifyReply => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
    res.flushHeaders(); // the client learns the stream is open before anything is written
    if (first !== '') res.write(first);
    let stepping = false;
    const step = setInterval(() => {
      if (stepping) return;
      stepping = true;
      void next().then((more) => {
        if (more === undefined) end();
        else if (watches.has(end) && more !== '') res.write(more);
      }, () => end()).finally(() => {
        stepping = false;
      });
    }, WATCH_STEP_MS);
    const timeout = setTimeout(() => end(), seconds * 1000);
    const end = (): void => {
      if (!watches.delete(end)) return;
      clearInterval(step);
      clearTimeout(timeout);
      res.end();
    };
    watches.set(end, key);
    request.raw.socket.once('close', end);
    return reply;
  };
  const tooManyWatches = (key: string): boolean => watches.size >= (options.maxWatches ?? MAX_WATCHES) || watchesOf(key) >= (options.watchesPerSession ?? MAX_WATCHES);
  const tooManyStreams = (): ApiResponse => statusResponse(429, 'TooManyRequests', 'too many open watches; close some and try again');
  const refuseWatch = (reply: FastifyReply): FastifyReply => send(reply, tooManyStreams());

  // Forwarded requests hold connections here until the owner's answer ends: bounded, and
  // so are the owner look-ups before them (a forged room id costs a database read).
  let forwarding = 0;
  const forwarded = async (req: IncomingMessage): Promise<Forward | ApiResponse | undefined> => {
    if (!options.forward) return undefined;
    if (forwarding >= (options.maxForwards ?? MAX_FORWARDS)) return statusResponse(429, 'TooManyRequests', 'too many requests passing through this server; try again');
    forwarding++;
    const to = await options.forward(req).catch(() => statusResponse(503, 'ServiceUnavailable', 'the server running this room could not be reached; try again'));
    if (to === undefined || !('connection' in to)) forwarding--;
    return to;
  };
  const forwardEnded = (): void => void forwarding--;
  if (options.forward) {
    app.addHook('onRequest', async (request, reply) => {
      const to = await forwarded(request.raw);
      if (to === undefined) return undefined;
      if (!('connection' in to)) return send(reply, to);
      reply.hijack();
      forwardRequest(request.raw, reply.raw, to, forwardEnded);
      return reply;
    });
  }

  // exec, attach and port-forward streams (kube-api-exec.ts) count among the watches, against the same caps.
  const exec = execUpgrades(options.backend, {
    take: (key) => !perSession || perSession.take(key),
    open: (key, end) => {
      if (tooManyWatches(key)) return tooManyStreams();
      watches.set(end, key);
      return undefined;
    },
    close: (end) => void watches.delete(end),
    maxSeconds: MAX_WATCH_SECONDS,
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!options.forward) return exec(req, socket, head);
    socket.on('error', () => socket.destroy());
    void forwarded(req).then((to) => {
      if (to === undefined) exec(req, socket, head);
      else if (!('connection' in to)) refuseUpgrade(socket, to);
      else forwardUpgrade(req, socket, head, to, forwardEnded);
    }).catch(() => socket.destroy());
  });

  /** Streams a watch's events, one JSON object a line, as simulated time passes. */
  const streamWatch = async (request: FastifyRequest, reply: FastifyReply, session: KubeApiSession, apiRequest: ApiRequest): Promise<FastifyReply> => {
    if (tooManyWatches(session.key)) return refuseWatch(reply);
    const opened = await session.watch(apiRequest);
    if (!('events' in opened)) return send(reply, opened);
    const lines = (events: WatchEvent[]): string => events.map((event) => `${JSON.stringify(event)}\n`).join('');
    const asked = Number(apiRequest.query.timeoutSeconds);
    const seconds = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_WATCH_SECONDS) : MAX_WATCH_SECONDS;
    return stream(request, reply, session.key, 'application/json', lines(opened.events), async () => {
      const events = await opened.step();
      return events === undefined ? undefined : lines(events);
    }, seconds);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2);
    if (rawPath.length > MAX_PATH_CHARS) return send(reply, statusResponse(414, 'RequestURITooLong', 'the request URI is too long'));
    const opened = await options.backend.open(bearerToken(request.headers.authorization), decodeURIComponentSafe(rawPath));
    if (!('session' in opened)) return send(reply, opened);
    const { session, path } = opened;
    if (perSession && !perSession.take(session.key)) {
      return send(reply, statusResponse(429, 'TooManyRequests', `too many requests: at most ${options.perSessionPerMinute} a minute per seat`));
    }
    const query = QuerySchema.safeParse(Object.fromEntries(countedParams(rawQuery)));
    if (!query.success) return send(reply, statusResponse(400, 'BadRequest', `invalid query: ${query.error.issues.map((i) => i.message).join('; ')}`));
    const contentType = String(request.headers['content-type'] ?? '');
    let body: Json | undefined;
    try {
      if (typeof request.body === 'string') body = parseBody(contentType, request.body);
    } catch (error) {
      return send(reply, statusResponse(400, 'BadRequest', (error as Error).message));
    }
    const apiRequest: ApiRequest = {
      method: request.method as ApiRequest['method'],
      path,
      query: query.data,
      accept: String(request.headers.accept ?? 'application/json'),
      contentType,
      ...(body !== undefined ? { body } : {}),
    };
    // exec, attach and port-forward stream over an upgraded connection only (execUpgrades).
    if (streamingPath(path)) return send(reply, upgradeRequired());
    if (isWatch(apiRequest)) return streamWatch(request, reply, session, apiRequest);
    if (isLogFollow(apiRequest)) {
      // The cap is checked before the log opens: a seat's request is logged when it is served.
      if (tooManyWatches(session.key)) return refuseWatch(reply);
      const log = await session.followLog(apiRequest);
      return 'step' in log ? stream(request, reply, session.key, 'text/plain', log.text, log.step, MAX_WATCH_SECONDS) : send(reply, log);
    }
    return send(reply, await session.serve(apiRequest));
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', handler: handle });
  app.route({ method: ['GET'], url: '/', handler: handle });
  return app;
}

/** The query's pairs; a key given twice becomes an array, which the schema refuses. */
function countedParams(raw: string): [string, string | string[]][] {
  const out = new Map<string, string | string[]>();
  for (const [k, v] of new URLSearchParams(raw)) {
    const seen = out.get(k);
    out.set(k, seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v]);
  }
  return [...out];
}

export function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
