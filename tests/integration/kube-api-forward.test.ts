// The kube API edge forwarding a request to another process's kube API (kube-api-forward.ts),
// in one test process: an "owner" listener and a "receiver" whose every request is forwarded
// to it over a verified TLS connection. What a client gets through the receiver must be what
// the owner answers (status, headers, body, a stream as it is written, an upgrade's answer
// byte for byte, a dropped connection dropped), and the receiver holds a bounded number.
import type { AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildKubeApi, selfSignedCert, type KubeApiBackend, type ServingCert } from '../../server/http/kube-api.js';
import { connectKubeApi } from '../../server/http/kube-api-forward.js';
import { statusResponse } from '../../server/kubeapi/status.js';

const NAME = 'kubedrill-apiserver';
const TOKEN = 'seat-token';
let tls: ServingCert;
let owner: FastifyInstance;
let receiver: FastifyInstance;
const port = (app: FastifyInstance): number => (app.server.address() as AddressInfo).port;

/** The owner's answers: a list with a warning, a Status, a dropped connection (its apiserver down), a watch and a followed log. */
/** The paths the owner served, in order. */
const served: string[] = [];
const ownerBackend: KubeApiBackend = {
  open: async (token, path) => token !== TOKEN ? statusResponse(401, 'Unauthorized', 'Unauthorized') : {
    path,
    session: {
      key: 'seat',
      serve: async (req) => {
        served.push(req.path);
        if (req.path === '/down') return { status: 0, body: '' };
        if (req.path === '/missing') return statusResponse(404, 'NotFound', 'pods "x" not found');
        return { status: 200, body: { kind: 'PodList', items: [], echo: { method: req.method, query: req.query, body: req.body ?? null } }, warning: 'v1 ComponentStatus is deprecated' };
      },
      watch: async () => ({ events: [{ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'web-1' } } }], step: async () => [] }),
      followLog: async () => ({ text: 'first line\n', step: async () => '' }),
    },
  },
};

beforeAll(async () => {
  tls = await selfSignedCert([NAME]);
  owner = buildKubeApi({ backend: ownerBackend, tls });
  await owner.listen({ host: '127.0.0.1', port: 0 });
  // The receiver serves nothing itself: every request goes to the owner.
  receiver = buildKubeApi({
    backend: { open: async () => statusResponse(500, 'InternalError', 'served here') }, tls, maxForwards: 2,
    forward: async () => ({ connection: await connectKubeApi(`https://127.0.0.1:${port(owner)}`, tls.cert, NAME), forwardedFor: '203.0.113.7' }),
  });
  await receiver.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await receiver?.close();
  await owner?.close();
});

function send(to: FastifyInstance, path: string, options: { method?: string; body?: string; contentType?: string } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest({
      host: '127.0.0.1', port: port(to), path, method: options.method ?? 'GET', ca: tls.cert, servername: NAME, agent: false,
      headers: { authorization: `Bearer ${TOKEN}`, ...(options.contentType ? { 'content-type': options.contentType } : {}) },
    }, resolve);
    request.on('error', reject);
    request.end(options.body);
  });
}

async function whole(response: IncomingMessage): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...headers } = response.headers;
  return { status: response.statusCode!, headers, body };
}

it('answers as the owner answers: status, headers and body, for reads, writes with a body and refusals', async () => {
  for (const [path, options] of [
    ['/api/v1/pods?limit=2', {}],
    ['/api/v1/namespaces/shop/configmaps', { method: 'POST', body: JSON.stringify({ kind: 'ConfigMap', data: { a: 'x'.repeat(100_000) } }), contentType: 'application/json' }],
    ['/missing', {}],
  ] as const) {
    const direct = await whole(await send(owner, path, options));
    expect(await whole(await send(receiver, path, options))).toEqual(direct);
  }
  expect((await whole(await send(receiver, '/api/v1/pods'))).headers.warning).toBe('299 - "v1 ComponentStatus is deprecated"');
});

it('keeps a chunked body framed on the hop, whatever the method (no request smuggled to the owner)', async () => {
  const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port: port(receiver), ca: tls.cert, servername: NAME }, () => socket.write(
      `DELETE /api/v1/namespaces/shop/pods/web-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`
      + `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 200));
  expect(answer).toMatch(/^HTTP\/1\.1 (200|400) /);
  expect(served).not.toContain('/smuggled');
});

it('drops the client\'s connection when the owner drops it (its apiserver is down), as a direct client sees it', async () => {
  await expect(send(owner, '/down')).rejects.toThrow(/socket hang up|ECONNRESET/);
  await expect(send(receiver, '/down')).rejects.toThrow(/socket hang up|ECONNRESET/);
});

it('streams a watch and a followed log as the owner writes them, and passes an upgrade\'s refusal on byte for byte', async () => {
  const watch = await send(receiver, '/api/v1/pods?watch=true');
  expect(watch.statusCode).toBe(200);
  const first = await new Promise<string>((resolve) => watch.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  expect(JSON.parse(first)).toEqual({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'web-1' } } });
  expect(watch.readableEnded).toBe(false);
  watch.destroy();
  const log = await send(receiver, '/api/v1/namespaces/shop/pods/web-1/log?follow=true');
  expect(await new Promise<string>((resolve) => log.once('data', (chunk: Buffer) => resolve(chunk.toString())))).toBe('first line\n');
  log.destroy();

  // An upgrade the owner refuses before any handshake (the token is not the seat's), with a Status.
  const upgrade = (to: FastifyInstance): Promise<string> => new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port: port(to), ca: tls.cert, servername: NAME }, () => socket.write(
      'POST /api/v1/namespaces/shop/pods/web-1/exec?command=date&stdout=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n'));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('close', () => resolve(text)).on('error', reject);
  });
  const direct = await upgrade(owner);
  expect(direct).toMatch(/^HTTP\/1\.1 401 .*"reason":"Unauthorized"/s);
  expect(await upgrade(receiver)).toBe(direct);
});

it('holds at most maxForwards at once: one more is refused with a Status until one ends', async () => {
  const held = await Promise.all([send(receiver, '/api/v1/pods?watch=true'), send(receiver, '/api/v1/pods?watch=true')]);
  const refused = await whole(await send(receiver, '/api/v1/pods'));
  expect(refused.status).toBe(429);
  expect(JSON.parse(refused.body)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', message: 'too many requests passing through this server; try again' });
  held[0]!.destroy();
  for (let tries = 0; ; tries++) {
    const again = await whole(await send(receiver, '/api/v1/pods'));
    if (again.status === 200) break;
    expect(tries).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  held[1]!.destroy();
});

it('frees the place of a client that left while the owner was looked up (nothing is forwarded for it)', async () => {
  let opened = 0;
  const slow = buildKubeApi({
    backend: { open: async () => statusResponse(500, 'InternalError', 'served here') }, tls, maxForwards: 1,
    forward: async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      opened++;
      return { connection: await connectKubeApi(`https://127.0.0.1:${port(owner)}`, tls.cert, NAME), forwardedFor: '203.0.113.7' };
    },
  });
  await slow.listen({ host: '127.0.0.1', port: 0 });
  try {
    const leaving = connectTls({ host: '127.0.0.1', port: port(slow), ca: tls.cert, servername: NAME }, () => leaving.write(
      `GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
    leaving.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaving.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(opened).toBe(1);
    expect((await whole(await send(slow, '/api/v1/pods'))).status).toBe(200);
  } finally {
    await slow.close();
  }
});
