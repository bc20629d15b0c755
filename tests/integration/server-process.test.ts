// Process hygiene of the real server: a rejection nobody handled is logged, not fatal; so is a database connection lost later;
// SIGTERM with clients connected (WebSocket, polling, clients that reconnect at once) exits
// cleanly within 2 s; `npm start` passes signals on to the server; the built client carries
// no source map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { io as connectClient, type Socket } from 'socket.io-client';
import { build } from '../../scripts/build.mjs';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

let db: TestDatabase;
const started: ServerProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await db?.drop();
});

async function start(command: string, args: string[]): Promise<ServerProcess> {
  const server = await startServerProcess(command, args, { DATABASE_URL: db.url, LOG_LEVEL: 'info' }, 120_000);
  started.push(server);
  return server;
}

/** Clients sitting in a running solo room, over each transport, reconnecting as soon as they can. */
async function seatClients(url: string): Promise<Socket[]> {
  const response = await fetch(`${url}/api/solo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioId: 'etcd-nospace', name: 'Sig' }) });
  const { token } = (await response.json()) as { token: string };
  const sockets: Socket[] = [];
  for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']] as const) {
    const socket = connectClient(url, { transports: [...transports], forceNew: true, reconnectionDelay: 0, reconnectionDelayMax: 10 });
    socket.on('connect', () => socket.emit('room:join', { token }, () => undefined));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    sockets.push(socket);
  }
  const first = sockets[0]!;
  const ran = await first.timeout(10_000).emitWithAck('cmd:run', { line: 'kubectl get nodes' }).catch(() => undefined);
  expect(ran).toBeDefined();
  return sockets;
}

/** Log lines at pino's error level or above. */
const errors = (output: string): string[] => output.split('\n').filter((line) => /"level":(50|60)/.test(line));

describe('process hygiene', () => {
  it('exits 0 within 2 s of SIGTERM with clients connected, logging no error', { timeout: 120_000 }, async () => {
    const server = await start(process.execPath, ['bin/kubedrill.js', 'serve']);
    const sockets = await seatClients(server.url);
    const sent = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(performance.now() - sent).toBeLessThan(2000);
    expect(errors(server.output())).toEqual([]);
    expect(server.output()).toContain('shutdown complete');
    for (const socket of sockets) socket.close();
  });

  it('logs a rejection nobody handled and goes on serving (Node would exit)', { timeout: 120_000 }, async () => {
    const boot = "import { loadConfig } from './server/config.ts'; import { runServer } from './server/main.ts'; await runServer(loadConfig(process.env)); void Promise.reject(new Error('nobody awaited this'));";
    const server = await start(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', boot]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(errors(server.output()).join('\n')).toContain('nobody awaited this');
    expect(server.child.exitCode).toBeNull();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('logs a database connection lost after start-up (it was added to the start-up messages, already printed)', { timeout: 120_000 }, async () => {
    const server = await start(process.execPath, ['bin/kubedrill.js', 'serve']);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // a pool connection, idle now
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const cut = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      expect(cut.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 200 && !server.output().includes('database connection error'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.output()).toContain('database connection error');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('stops the server when `npm start` is sent SIGTERM, and serves no source map', { timeout: 180_000 }, async () => {
    // Built first, under the build lock other test files share: `npm start` then finds
    // dist/ fresh and starts the server from it without building anything.
    await build(undefined, { ifStale: true });
    const server = await start('npm', ['start']);
    const page = await (await fetch(server.url)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const code = await (await fetch(`${server.url}${script}`)).text();
    expect(code).not.toContain('sourceMappingURL');
    expect((await fetch(`${server.url}${script}.map`)).status).toBe(404);

    const sockets = await seatClients(server.url);
    const sent = performance.now();
    server.child.kill('SIGTERM'); // npm's own pid, as `kill <npm>` or a process manager would
    await server.exited;
    // The server itself is gone: the port no longer answers.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(performance.now() - sent).toBeLessThan(3000);
    expect(errors(server.output())).toEqual([]);
    for (const socket of sockets) socket.close();
  });
});
