// The rooms' Kubernetes API with several real processes (`kubedrill serve`, REDIS_URL) behind
// a TCP balancer passing TLS through (what scripts/cluster/haproxy.cfg's kube API frontend
// does): a kubeconfig names the balancer and the certificate every process serves, so it
// works whichever process its connection lands on. A request for a room another process owns
// is forwarded there; after the owner's kill -9 the same kubeconfig works again once another
// process has claimed the room. The real kubectl v1.29.4 is the client (exec over WebSocket and SPDY).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { createServer, connect as connectTcp, type Server } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../server/http/kube-api.js';
import { ownerOf, startNode, type Node } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/process.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';
import { connect, postJson } from '../helpers/server.js';

const kubectl = realKubectlBinary('several processes\' kube API suite');
const WEBSOCKETS = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' };

let db: TestDatabase;
let dir: string;
let a: Node;
let b: Node;
const spawned: Promise<Node>[] = [];
let balancer: Server;
let balancerPort: number;
/** The kube API port the balancer sends each new connection to. */
let via = 0;
const kubePort = new Map<Node, number>();
/** A listener no request may ever make a process connect to. */
let trap: Server;
let trapPort: number;
let trapped = 0;

beforeAll(async () => {
  if (!kubectl) return;
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'kd-cluster-kube-'));
  const { cert, key } = await selfSignedCert(['kubedrill-apiserver']);
  writeFileSync(join(dir, 'api.crt'), cert);
  writeFileSync(join(dir, 'api.key'), key);
  balancerPort = await freePort();
  balancer = createServer((client) => {
    const upstream = connectTcp(via, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }).listen(balancerPort, '127.0.0.1');
  trap = createServer((socket) => {
    trapped++;
    socket.destroy();
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => trap.once('listening', resolve));
  trapPort = (trap.address() as { port: number }).port;
  const boot = async (): Promise<Node> => {
    const port = await freePort();
    const started = startNode(db.url, {
      KUBEDRILL_KUBE_API_PORT: String(port), KUBEDRILL_KUBE_API_URL: `https://127.0.0.1:${balancerPort}`,
      KUBEDRILL_KUBE_API_CERT: join(dir, 'api.crt'), KUBEDRILL_KUBE_API_KEY: join(dir, 'api.key'),
    });
    spawned.push(started);
    const node = await started;
    kubePort.set(node, port);
    return node;
  };
  a = await boot(); // the first start warms tsx's transform cache for the second
  b = await boot();
}, 480_000);

afterAll(async () => {
  await Promise.all(spawned.map((node) => node.then((n) => n.kill('SIGKILL'), () => undefined)));
  balancer?.close();
  trap?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (kubeconfig: string, line: string, stdin?: string) => runKubectl(kubectl!, kubeconfig, dir, line, stdin, WEBSOCKETS);

/** A solo room created on `node` (its owner), and its player's kubeconfig downloaded from `from`. */
async function soloRoom(node: Node, from: Node, name: string) {
  const created = await postJson<{ roomId: string; code: string; token: string }>(node.url, '/api/solo', { scenarioId: 'pending-pods', name: 'Kim' });
  expect(created.status).toBe(201);
  expect(await ownerOf(db.url, created.body.roomId)).toBe(node.url);
  const response = await fetch(`${from.url}/api/kubeconfig`, { method: 'POST', headers: { authorization: `Bearer ${created.body.token}` } });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="kubedrill-${created.body.code}.kubeconfig"`);
  expect(text).toContain(`server: https://127.0.0.1:${balancerPort}/rooms/${created.body.roomId}\n`);
  const file = join(dir, name);
  writeFileSync(file, text);
  return { ...created.body, file, text };
}

/** The kubeconfig's parts a plain HTTPS client needs. */
function clientOf(kubeconfig: string) {
  const field = (name: string) => new RegExp(`${name}: (\\S+)`).exec(kubeconfig)![1]!;
  return { server: new URL(field('server')), ca: Buffer.from(field('certificate-authority-data'), 'base64').toString(), token: field('token'), servername: field('tls-server-name') };
}

/** Opens a request through the balancer; resolves as the answer starts (a stream goes on). */
function open(client: ReturnType<typeof clientOf>, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    httpsRequest(new URL(`${client.server.pathname}${path}`, client.server), { ca: client.ca, servername: client.servername, headers: { authorization: `Bearer ${client.token}` } }, resolve)
      .on('error', reject).end();
  });
}

/** The first chunk of a streamed answer, read while the stream stays open. */
function firstChunk(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    response.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    response.once('end', () => reject(new Error('the stream ended before it sent anything')));
  });
}

describe.skipIf(!kubectl)('a kubeconfig with several processes', () => {
  it('downloaded from a process that does not own the room, works through either process: get, watch, logs -f, exec over WebSocket and SPDY', async () => {
    const room = await soloRoom(a, b, 'b.kubeconfig');
    const names = 'get pods -A --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,READY:.status.containerStatuses[*].ready,PHASE:.status.phase';
    via = kubePort.get(b)!;
    const throughB = await run(room.file, names);
    expect(throughB.exitCode, throughB.output).toBe(0);
    via = kubePort.get(a)!;
    const throughA = await run(room.file, names);
    expect(throughA.exitCode, throughA.output).toBe(0);
    // The solo room's clock runs, so a rollout may move on between two reads (seen in CI): A's
    // answer is the world B showed just before it, or just after.
    if (throughA.output !== throughB.output) {
      via = kubePort.get(b)!;
      expect((await run(room.file, names)).output).toBe(throughA.output);
      via = kubePort.get(a)!;
    }

    // A pod with one container, running and ready (exec's default container, no choice to make).
    const [namespace, pod] = throughB.output.split('\n').find((l) => / true +Running$/.test(l) && !l.startsWith('kube-system '))!.split(/ +/) as [string, string];
    const execs = [`exec -n ${namespace} ${pod} -- cat /etc/resolv.conf`, `exec -n ${namespace} ${pod} -- cat /nope`];
    const direct = await Promise.all(execs.map((line) => run(room.file, line)));
    expect(direct[0]!.exitCode, direct[0]!.output).toBe(0);
    expect(direct[1]!.exitCode).toBe(1);
    via = kubePort.get(b)!;
    for (const [i, line] of execs.entries()) expect(await run(room.file, line)).toEqual(direct[i]);
    // kubectl's default, SPDY/3.1, passes through alike.
    for (const [i, line] of execs.entries()) expect(await runKubectl(kubectl!, room.file, dir, line)).toEqual(direct[i]);
    // stdin goes to the owner and the output comes back through the upgraded connection.
    expect(await run(room.file, `exec -i -n ${namespace} ${pod} -- cat`, 'through the other process\n')).toEqual({ output: 'through the other process\n', exitCode: 0 });

    const client = clientOf(room.text);
    const watch = await open(client, `/api/v1/namespaces/${namespace}/pods?watch=true`);
    expect(watch.statusCode).toBe(200);
    expect(watch.headers['content-type']).toBe('application/json');
    expect(JSON.parse((await firstChunk(watch)).split('\n')[0]!)).toMatchObject({ type: 'ADDED', object: { kind: 'Pod' } });
    expect(watch.readableEnded).toBe(false);
    watch.destroy();
    const log = await open(client, `/api/v1/namespaces/${namespace}/pods/${pod}/log?follow=true`);
    expect(log.statusCode).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain');
    log.destroy();
    // A refusal is the owner's Status, as it wrote it.
    const missing = await open(client, `/api/v1/namespaces/${namespace}/pods/nope`);
    expect(missing.statusCode).toBe(404);
    let body = '';
    for await (const chunk of missing) body += String(chunk);
    expect(JSON.parse(body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' });
  }, 180_000);

  it('a download refused by the owner is refused alike on the other process (an interview without the setting)', async () => {
    const created = await postJson<{ code: string; roomId: string }>(a.url, '/api/rooms', { scenarioId: 'pending-pods', mode: 'interview', hostName: 'Host', seed: 1, allowSpectators: true });
    expect(created.status).toBe(201);
    const spectator = await connect(a.url);
    const joined = await spectator.call<{ token: string }>('room:join', { code: created.body.code, name: 'Sol', role: 'spectator' });
    expect(joined.ok).toBe(true);
    const answers = await Promise.all([a, b].map(async (node) => {
      const response = await fetch(`${node.url}/api/kubeconfig`, { method: 'POST', headers: { authorization: `Bearer ${joined.token}` } });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.json() as unknown };
    }));
    expect(answers[0]).toMatchObject({ status: 403, type: 'application/json; charset=utf-8', body: { error: { code: 'forbidden' } } });
    expect(answers[1]).toEqual(answers[0]);
    spectator.close();
  }, 60_000);

  it('never connects anywhere but the lease\'s owner, whatever the path, host or headers say', async () => {
    const room = await soloRoom(a, b, 'hostile.kubeconfig');
    const { ca, servername, token } = clientOf(room.text);
    /** One raw request on its own TLS connection straight to B: the status line and the body. */
    const raw = (head: string): Promise<string> => new Promise((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: kubePort.get(b)!, ca, servername }, () => socket.write(`${head}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
    });
    const elsewhere = `127.0.0.1:${trapPort}`;
    const answers = await Promise.all([
      raw(`GET /rooms/00000000-0000-4000-8000-000000000000/api/v1/pods HTTP/1.1\r\nHost: ${elsewhere}`),
      raw(`GET http://${elsewhere}/rooms/${room.roomId}/api/v1/pods HTTP/1.1\r\nHost: ${elsewhere}`),
      raw(`GET /rooms/${room.roomId}%2F..%2F..%2F@${elsewhere}/api/v1/pods HTTP/1.1\r\nHost: ${elsewhere}\r\nX-Forwarded-Host: ${elsewhere}`),
      raw(`GET /rooms/${room.roomId}/api/v1/pods HTTP/1.1\r\nHost: ${elsewhere}\r\nX-Forwarded-For: ${elsewhere}`),
    ]);
    for (const answer of answers) expect(answer).toMatch(/"kind":"Status"|"kind":"PodList"/);
    // The last one is a plain forwarded list: the owner answered it.
    expect(answers[3]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 401 /); // no such room: no token opens it
    expect(trapped).toBe(0);
  }, 60_000);

  it('refuses a request for an ended room without claiming or rebuilding it', async () => {
    const room = await soloRoom(a, b, 'ended.kubeconfig');
    const player = await connect(a.url);
    expect((await player.request('room:join', { token: room.token })).ok).toBe(true);
    expect((await player.request('player:give-up')).ok).toBe(true);
    player.close();
    // Straight to B, which does not hold the room: refused as a token that opens nothing.
    const { ca, servername, token } = clientOf(room.text);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: kubePort.get(b)!, ca, servername }, () => socket.write(`GET /rooms/${room.roomId}/api/v1/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(await ownerOf(db.url, room.roomId)).toBe(a.url);
  }, 60_000);

  it('after a kill -9 of the room\'s owner, the same kubeconfig works again within seconds (the process it reaches claims the room)', async () => {
    const room = await soloRoom(a, b, 'failover.kubeconfig');
    via = kubePort.get(b)!;
    expect((await run(room.file, 'get ns -o name')).exitCode).toBe(0);
    await a.kill('SIGKILL');
    const killed = performance.now();
    let result = await run(room.file, 'get ns -o name');
    while (result.exitCode !== 0 && performance.now() - killed < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await run(room.file, 'get ns -o name');
    }
    const seconds = (performance.now() - killed) / 1000;
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('namespace/kube-system\n');
    expect(seconds).toBeLessThan(10);
    expect(await ownerOf(db.url, room.roomId)).toBe(b.url);
    const pods = await run(room.file, 'get pods -A --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,READY:.status.containerStatuses[*].ready');
    const [namespace, pod] = pods.output.split('\n').find((l) => / true$/.test(l) && !l.startsWith('kube-system '))!.split(/ +/) as [string, string];
    expect(await run(room.file, `exec -n ${namespace} ${pod} -- cat /etc/hostname`)).toMatchObject({ exitCode: 0 });
  }, 120_000);
});
