// The Kubernetes REST API of one cluster over HTTP (fastify): the edge around
// server/kubeapi/handler.ts. It checks the bearer token, bounds and validates what arrives
// (zod over the query, 3 MiB bodies like the apiserver's limit, JSON only) and answers every
// refusal as a meta/v1 Status, so kubectl prints a clear error; it streams watches (at most
// MAX_WATCHES at once, each at most MAX_WATCH_SECONDS). `kubedrill api` serves it.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ClusterState } from '../cluster/types.js';
import { apiUnavailable } from '../cluster/api.js';
import { handleApiRequest, isWatch, startLogFollow, startWatch, type ApiRequest } from '../kubeapi/handler.js';
import { logStep } from '../kubeapi/logs.js';
import { watchStep, type WatchEvent } from '../kubeapi/watch.js';
import { statusResponse, type ApiResponse } from '../kubeapi/status.js';
import type { Json } from '../shell/kubectl/manifest.js';
import { bearerToken } from './errors.js';

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

const BODY_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'];

export interface KubeApiOptions {
  /** The cluster the API answers for (read at each request). */
  state: () => ClusterState;
  /** The bearer token every request must carry. */
  token: string;
  /** Called before each request and each step of a watch: lets simulated time catch up with the wall clock. */
  beforeRequest?: () => void;
  /** Serve HTTPS with this key and certificate (kubectl sends a bearer token only over TLS). */
  tls?: ServingCert;
}

export interface ServingCert {
  key: string;
  cert: string;
}

/**
 * A self-signed serving certificate for 127.0.0.1 and localhost, made at start: the
 * kubeconfig carries it as the cluster's certificate authority, so kubectl verifies it.
 */
export async function selfSignedCert(): Promise<ServingCert> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
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

const tooManyStreams = (): ApiResponse => statusResponse(429, 'TooManyRequests', 'too many open watches; close some and try again');

export function buildKubeApi(options: KubeApiOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES, logger: false, routerOptions: { maxParamLength: MAX_PATH_CHARS },
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(BODY_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string) as Json);
    } catch (error) {
      done(Object.assign(new Error(`couldn't get version/kind; json parse error: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return send(reply, statusResponse(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`));
    if (status === 415) return send(reply, statusResponse(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${BODY_TYPES.join(', ')}`));
    if (status >= 400 && status < 500) return send(reply, statusResponse(status, 'BadRequest', error.message));
    return send(reply, statusResponse(500, 'InternalError', 'an error on the server has prevented the request from succeeding'));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, statusResponse(404, 'NotFound', 'the server could not find the requested resource', {})));

  // Open watches and followed logs, each ended by its function (the client left, its time ran out, the server closes).
  const streams = new Set<() => void>();
  // preClose: before the server waits for its connections to end, which a watch never does by itself.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  /**
   * Streams `first`, then what `step` gives as simulated time passes, until `step` says the
   * stream ended (undefined), the apiserver goes down, the client leaves or `seconds` pass.
   */
  const stream = (request: FastifyRequest, reply: FastifyReply, contentType: string, first: string, step: (state: ClusterState) => string | undefined, seconds: number): FastifyReply => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
    res.flushHeaders(); // the client learns the stream is open before anything is written
    if (first !== '') res.write(first);
    const timer = setInterval(() => {
      options.beforeRequest?.();
      const state = options.state();
      // The apiserver went down: the stream ends, and the client's next request meets the outage.
      const more = apiUnavailable(state) ? undefined : step(state);
      if (more === undefined) end();
      else if (more !== '') res.write(more);
    }, WATCH_STEP_MS);
    const timeout = setTimeout(() => end(), seconds * 1000);
    const end = (): void => {
      if (!streams.delete(end)) return;
      clearInterval(timer);
      clearTimeout(timeout);
      res.end();
    };
    streams.add(end);
    request.raw.socket.once('close', end);
    return reply;
  };

  /** Streams a watch's events, one JSON object a line, as simulated time passes. */
  const streamWatch = (request: FastifyRequest, reply: FastifyReply, apiRequest: ApiRequest): FastifyReply => {
    if (streams.size >= MAX_WATCHES) return send(reply, tooManyStreams());
    const opened = startWatch(options.state(), apiRequest);
    if (!opened.ok) return send(reply, opened.response);
    const lines = (events: WatchEvent[]): string => events.map((event) => `${JSON.stringify(event)}\n`).join('');
    const asked = Number(apiRequest.query.timeoutSeconds);
    const seconds = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_WATCH_SECONDS) : MAX_WATCH_SECONDS;
    return stream(request, reply, 'application/json', lines(opened.events), (state) => lines(watchStep(state, opened.cursor)), seconds);
  };

  const handle = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (!tokenMatches(bearerToken(request.headers.authorization), options.token)) {
      return send(reply, statusResponse(401, 'Unauthorized', 'Unauthorized'));
    }
    const [path = '/', rawQuery = ''] = request.url.split('?', 2);
    if (path.length > MAX_PATH_CHARS) return send(reply, statusResponse(414, 'RequestURITooLong', 'the request URI is too long'));
    const query = QuerySchema.safeParse(Object.fromEntries(countedParams(rawQuery)));
    if (!query.success) return send(reply, statusResponse(400, 'BadRequest', `invalid query: ${query.error.issues.map((i) => i.message).join('; ')}`));
    options.beforeRequest?.();
    const apiRequest: ApiRequest = {
      method: request.method as ApiRequest['method'],
      path: decodeURIComponentSafe(path),
      query: query.data,
      accept: String(request.headers.accept ?? 'application/json'),
      contentType: String(request.headers['content-type'] ?? ''),
      ...(request.body !== undefined ? { body: request.body as Json } : {}),
    };
    if (isWatch(apiRequest)) return streamWatch(request, reply, apiRequest);
    const log = startLogFollow(options.state(), apiRequest);
    if (log) {
      if (streams.size >= MAX_WATCHES) return send(reply, tooManyStreams());
      return stream(request, reply, 'text/plain', log.text, (state) => logStep(state, log.follow), MAX_WATCH_SECONDS);
    }
    return send(reply, handleApiRequest(options.state(), apiRequest));
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

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
