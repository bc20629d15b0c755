// scripts/cluster/haproxy.cfg run by the real HAProxy in front of two stand-in processes: one
// is stopping (its health check not yet failed, but it answers 503 as fastify does while it
// closes), the other serves. A room created through the balancer then lands on the serving
// one instead of failing: new rooms go to the other processes during a rolling deploy.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';

const haveHaproxy = spawnSync('haproxy', ['-v']).status === 0;
const servers: Server[] = [];
let balancer: ChildProcess | undefined;

afterAll(async () => {
  balancer?.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function standIn(answer: (path: string) => number): Promise<number> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      // The health check stays green: the balancer has not noticed the stop yet.
      const status = path === '/healthz' ? 200 : answer(path);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

it.skipIf(!haveHaproxy)('sends a request a stopping process answers 503 to another process', async () => {
  const stopping = await standIn(() => 503);
  const serving = await standIn(() => 201);
  const [lb, kube] = [await freePort(), await freePort()];
  balancer = spawn('haproxy', ['-db', '-f', 'scripts/cluster/haproxy.cfg'], {
    stdio: 'ignore',
    env: {
      ...process.env,
      KUBEDRILL_LB_BIND: `127.0.0.1:${lb}`, KUBEDRILL_LB_KUBE_BIND: `127.0.0.1:${kube}`,
      KUBEDRILL_P1: `127.0.0.1:${stopping}`, KUBEDRILL_P2: `127.0.0.1:${serving}`, KUBEDRILL_P3: `127.0.0.1:${stopping}`,
      KUBEDRILL_P1_PORT: String(stopping), KUBEDRILL_P2_PORT: String(serving), KUBEDRILL_P3_PORT: String(stopping),
      KUBEDRILL_K1: `127.0.0.1:${stopping}`, KUBEDRILL_K2: `127.0.0.1:${serving}`, KUBEDRILL_K3: `127.0.0.1:${stopping}`,
    },
  });
  // Up once every server passed its two health checks (rise 2, every 500 ms).
  for (const deadline = Date.now() + 15_000; ; ) {
    try {
      if ((await fetch(`http://127.0.0.1:${lb}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('haproxy did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const response = await fetch(`http://127.0.0.1:${lb}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Host' }) });
    statuses.push(response.status);
  }
  expect(statuses).toEqual(statuses.map(() => 201));
}, 40_000);
