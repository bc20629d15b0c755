// The embedded database is not reachable from outside the server process: the real server
// on PGlite listens on its HTTP port and nothing else (no TCP port, no Unix socket) that
// another local process could connect to.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createTempDir, type TempDir } from '../helpers/db.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

let dir: TempDir;
let server: ServerProcess | undefined;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await dir?.remove();
});

/** The listening sockets a process holds: TCP ports and Unix socket paths (from /proc). */
function listeningSockets(pid: number): { tcp: number[]; unix: string[] } {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const tcp: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode.
      if (fields[3] === '0A' && inodes.has(fields[9]!)) tcp.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  const unix: string[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Flags 00010000 = accepting connections (listening).
    if (fields[3] === '00010000' && inodes.has(fields[6]!)) unix.push(fields[7] ?? '(unnamed)');
  }
  return { tcp, unix };
}

it('listens on the HTTP port only: no local process can reach the embedded database', { timeout: 120_000 }, async () => {
  server = await startServerProcess(process.execPath, ['bin/kubedrill.js', 'serve'], { KUBEDRILL_DATA_DIR: dir.path, DATABASE_URL: '' });
  // The database works (a room is stored) ...
  const created = await fetch(`${server.url}/api/solo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioId: 'etcd-nospace', name: 'Local' }) });
  expect(created.status).toBe(201);
  // ... and the process offers nothing but HTTP to connect to.
  const httpPort = Number(new URL(server.url).port);
  const sockets = listeningSockets(server.child.pid!);
  expect(sockets).toEqual({ tcp: [httpPort], unix: [] });
  // The HTTP port does not speak Postgres, whatever the password.
  const client = new pg.Client({ host: '127.0.0.1', port: httpPort, user: 'postgres', password: 'anything', database: 'postgres', connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await expect(client.connect()).rejects.toThrow();
  await client.end().catch(() => undefined);
});
