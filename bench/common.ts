// What the socket benches share: the server as a child process, socket.io clients, percentiles.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { io as connectClient, type Socket } from 'socket.io-client';

export const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Node flags the server runs with in production: those of `npm start` (package.json; the
 * Dockerfile and `npm run cluster` pass the same, tests/unit/server-node-flags.test.ts checks).
 */
export const SERVER_NODE_FLAGS: string[] = (() => {
  const { scripts } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  return scripts.start!.match(/\bnode ((?:--\S+ )*)scripts\/start\.mjs/)![1]!.split(' ').filter(Boolean);
})();

export async function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}):\n${out}`)));
  });
}

export async function client(url: string): Promise<Socket> {
  const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

export const call = (socket: Socket, name: string, payload: unknown): Promise<{ ok: boolean; error?: { message: string } } & Record<string, unknown>> =>
  socket.timeout(30_000).emitWithAck(name, payload);

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
export const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL');

/** Every player runs `line` once a second for `seconds`, staggered over the first second: the latencies of the acked ones. */
export async function commandLoad(players: Socket[], line: string, seconds: number): Promise<{ samples: number[]; failures: number; clientLag: { p99: number; max: number }; slowBySecond: number[] }> {
  const samples: number[] = [];
  let failures = 0;
  /** Acks over 50 ms, by the second of the run their command was sent in: bursts or a steady trickle. */
  const slowBySecond: number[] = new Array<number>(seconds + 1).fill(0);
  const began = performance.now();
  // The clients' own event loop delays every ack they read: a stall here is part of the tail too.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(players.map(async (socket, i) => {
    await new Promise((r) => setTimeout(r, (i / players.length) * 1000));
    while (performance.now() < deadline) {
      const started = performance.now();
      const ack = await call(socket, 'cmd:run', { line });
      const took = performance.now() - started;
      if (ack.ok) samples.push(took);
      else failures++;
      if (took > 50) slowBySecond[Math.floor((started - began) / 1000)]!++;
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - took)));
    }
  }));
  lag.disable();
  return { samples, failures, clientLag: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 }, slowBySecond };
}
