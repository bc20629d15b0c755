// The production build (scripts/build.mjs): the server bundle in dist/server runs as plain
// JavaScript — it finds the migrations, the scenarios and the client from dist/ and answers
// a command over socket.io — the launcher runs it only while it is newer than the sources,
// and a fresh embedded database starts as a copy of the initialised template.
import { cp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { build } from '../../scripts/build.mjs';
import { isFresh, PGLITE_TEMPLATE, SERVER_ENTRY, SERVER_STAMP } from '../../scripts/build-state.mjs';
import { startEmbeddedDatabase } from '../../server/db/embedded.js';
import { createTempDir, createTestDatabase, type TempDir, type TestDatabase } from '../helpers/db.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

let db: TestDatabase;
let scratch: TempDir;
const started: ServerProcess[] = [];
beforeAll(async () => {
  [db, scratch] = await Promise.all([createTestDatabase(), createTempDir()]);
  await build(undefined, { ifStale: true });
}, 300_000);
afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await db?.drop();
  await scratch?.remove();
});

describe('production build', () => {
  it('bundles the server as JavaScript that loads nothing of TypeScript', async () => {
    expect(isFresh('server')).toBe(true);
    const files = (await readdir(path.dirname(SERVER_ENTRY))).filter((f) => f.endsWith('.js'));
    expect(files).toContain('cli.js');
    for (const file of files) {
      const code = await readFile(path.join(path.dirname(SERVER_ENTRY), file), 'utf8');
      expect(code).not.toMatch(/from\s*["']tsx|import\(["'][^"']+\.ts["']\)/);
    }
  });

  it('runs from dist/: migrates, lists the scenarios and answers a command', { timeout: 120_000 }, async () => {
    const server = await startServerProcess(process.execPath, [SERVER_ENTRY, 'serve'], { DATABASE_URL: db.url }, 90_000);
    started.push(server);
    const { scenarios } = (await (await fetch(`${server.url}/api/scenarios`)).json()) as { scenarios: { id: string }[] };
    expect(scenarios.map((s) => s.id)).toContain('etcd-nospace');
    expect(await (await fetch(server.url)).text()).toMatch(/<script[^>]+src="\/assets\//); // the built client

    const response = await fetch(`${server.url}/api/solo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioId: 'etcd-nospace', name: 'Build' }) });
    const { token } = (await response.json()) as { token: string };
    const socket = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      expect(await socket.timeout(10_000).emitWithAck('room:join', { token })).toMatchObject({ ok: true });
      const ran = (await socket.timeout(10_000).emitWithAck('cmd:run', { line: 'kubectl get nodes' })) as { ok: boolean; output: string };
      expect(ran.ok).toBe(true);
      expect(ran.output).toMatch(/^NAME\s+STATUS\s+ROLES/);
    } finally {
      socket.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('counts as stale once a source is newer than the bundle', async () => {
    const built = await stat(SERVER_STAMP);
    try {
      await utimes(SERVER_STAMP, built.atime, new Date(0));
      expect(isFresh('server')).toBe(false); // bin/kubedrill.js then runs the sources through tsx
    } finally {
      await utimes(SERVER_STAMP, built.atime, built.mtime);
    }
    expect(isFresh('server')).toBe(true);
  });

  it('starts a fresh embedded database as a copy of the template, and an existing one as it is', { timeout: 120_000 }, async () => {
    // A copy of the template with a marker file, so the test sees where the database came from.
    const template = path.join(scratch.path, 'template');
    await cp(PGLITE_TEMPLATE, template, { recursive: true });
    await writeFile(path.join(template, 'from-template'), '');
    const dataDir = path.join(scratch.path, 'data');
    const pgdata = path.join(dataDir, 'pgdata');
    for (let start = 0; start < 2; start++) {
      const embedded = await startEmbeddedDatabase(dataDir, template);
      const client = new pg.Client(embedded.connection);
      try {
        await client.connect();
        if (start === 0) await client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
        expect((await client.query('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
      } finally {
        await client.end();
        await embedded.stop();
      }
    }
    expect(await readdir(pgdata)).toEqual(expect.arrayContaining(['PG_VERSION', 'from-template']));
    await expect(stat(path.join(pgdata, '.built'))).rejects.toThrow();
  });
});
