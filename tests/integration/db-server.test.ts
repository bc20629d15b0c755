// Configuration errors, the app's health and docs routes, and the embedded database's
// durability: data kept across a clean restart and across a SIGKILL of its process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/db/client.js';
import { EmbeddedDatabaseLockedError } from '../../server/db/embedded.js';
import { readMigrations } from '../../server/db/migrate.js';
import { startServer } from '../../server/main.js';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { createTempDir, createTestDatabase, type TempDir, type TestDatabase } from '../helpers/db.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('loadConfig', () => {
  it('defaults to port 3000 on 127.0.0.1 with the embedded database in ./.kubedrill', () => {
    expect(loadConfig({}, '/srv/app')).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/srv/app/.kubedrill',
      logLevel: 'info',
    });
  });

  it('reads every variable, treating empty ones as unset', () => {
    const config = loadConfig(
      { PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgresql://kd:pw@db:5432/kubedrill', KUBEDRILL_DATA_DIR: '/data', LOG_LEVEL: 'debug' },
      '/srv',
    );
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: 'postgresql://kd:pw@db:5432/kubedrill', dataDir: '/data', logLevel: 'debug' });
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }, '/srv')).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('names the bad variable, the rule and the value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(
      new ConfigError(['PORT: must be an integer between 1 and 65535 (got "abc")']),
    );
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('Invalid configuration: PORT: must be an integer between 1 and 65535 (got "abc")');
    expect(() => loadConfig({ PORT: '65536' })).toThrow('PORT: must be an integer between 1 and 65535 (got "65536")');
  });

  it('lists every bad variable at once and never echoes a database password', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '0', DATABASE_URL: 'mysql://root:hunter2@db/app', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT: must be an integer between 1 and 65535 (got "0")',
      'DATABASE_URL: must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@localhost:5432/kubedrill (got "mysql://root:***@db/app")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('buildApp', () => {
  it('answers /healthz with 200 when the database answers and 503 when it does not', async () => {
    let healthy = true;
    const database = {
      store: createMemoryRoomStore(),
      ping: async () => {
        if (!healthy) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    };
    const app = await buildApp({ database, logger: false });
    try {
      const ok = await app.inject({ method: 'GET', url: '/healthz' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ status: 'ok', database: 'ok' });
      healthy = false;
      const down = await app.inject({ method: 'GET', url: '/healthz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'error', database: 'unreachable', error: 'database unavailable' });
    } finally {
      await app.close();
    }
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const app = await buildApp({ database: { store: createMemoryRoomStore(), ping: async () => {} }, logger: false });
    try {
      const spec = await app.inject({ method: 'GET', url: '/docs/json' });
      expect(spec.statusCode).toBe(200);
      expect(spec.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'kubedrill' } });
      expect(Object.keys(spec.json().paths)).toContain('/healthz');
      const page = await app.inject({ method: 'GET', url: '/docs' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
    } finally {
      await app.close();
    }
  });
});

describe('startServer', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('listens on a real port with DATABASE_URL and closes app and database', async () => {
    const server = await startServer(
      { ...loadConfig({}), port: 0, host: '127.0.0.1', databaseUrl: testDb.url, dataDir: '', logLevel: 'silent' },
      { logger: false },
    );
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(server.db.embedded).toBeUndefined();
    await server.close();
    await expect(server.db.ping()).rejects.toThrow();
  });

  it('logs a connection lost in the middle of a query, as one lost while idle', async () => {
    const logged: string[] = [];
    const db = await openDatabase({ databaseUrl: testDb.url, dataDir: '' }, { log: (message) => logged.push(message) });
    const admin = new pg.Client({ connectionString: testDb.url });
    await admin.connect();
    try {
      const busy = db.pool.query("SELECT pg_sleep(30), 'kubedrill-busy'").catch((error: Error) => error);
      const idle = await db.pool.connect();
      idle.release(); // a second connection, idle in the pool
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query("SELECT pid FROM pg_stat_activity WHERE query LIKE '%kubedrill-busy%' AND pid <> pg_backend_pid()");
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const cut = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      expect(cut.rowCount).toBe(2);
      expect(await busy).toBeInstanceOf(Error);
      for (let i = 0; i < 100 && logged.filter((m) => m.startsWith('database connection error')).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      // Before, only the idle one was logged: the pool reports its idle clients' errors alone.
      expect(logged.filter((m) => m.startsWith("database connection error")), logged.join("\n")).toHaveLength(2);
    } finally {
      await admin.end();
      await db.close();
    }
  });
});

// PGlite's initdb plus the migrations take 10–20 s on a busy 2-core runner (a fresh folder without the
// build's template), so these tests get more than the default 30 s.
describe('embedded database', { timeout: 120_000 }, () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await createTempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('keeps its data in the folder across a clean restart and migrates only once', async () => {
    const first = await openDatabase({ databaseUrl: undefined, dataDir: dir.path });
    expect(first.migrations.applied).toEqual((await readMigrations()).map((m) => m.name));
    const created = await first.store.createRoom({ code: 'KEEP-ME', mode: 'solo', scenarioId: 'etcd-nospace', seed: 7, timeLimitSec: 600 });
    if (!created.ok) throw new Error('room');
    await first.store.appendEvents(created.room.id, 0, [{ type: 'created', payload: { by: 'test' }, simTime: 0 }]);
    await first.close();

    const second = await openDatabase({ databaseUrl: undefined, dataDir: dir.path });
    try {
      expect(second.migrations.applied).toEqual([]);
      expect((await second.store.findRoomByCode('KEEP-ME'))?.lastSeq).toBe(1);
      expect((await second.store.listEvents(created.room.id))[0]?.payload).toEqual({ by: 'test' });
    } finally {
      await second.close();
    }
  });

  it('refuses a second process-level opener of the same folder with a clear error', async () => {
    const first = await openDatabase({ databaseUrl: undefined, dataDir: dir.path });
    try {
      const error = await openDatabase({ databaseUrl: undefined, dataDir: dir.path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedDatabaseLockedError);
      expect((error as Error).message).toBe(
        `The embedded database in ${dir.path} is in use by another kubedrill process (pid ${process.pid}). ` +
          'Stop it, or give this one its own KUBEDRILL_DATA_DIR.',
      );
    } finally {
      await first.close();
    }
  });

  it('loses no acknowledged event when its process is killed with SIGKILL', async () => {
    const killDir = await createTempDir();
    try {
      // A child process appends events one by one and reports each acknowledged sequence.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', CHILD_WRITER],
        { cwd: REPO_ROOT, env: { ...process.env, KD_DATA_DIR: killDir.path }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const acked = await new Promise<{ roomId: string; seqs: number[] }>((resolve, reject) => {
        let roomId = '';
        const seqs: number[] = [];
        let buffer = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) {
            const [word, value] = line.split(' ');
            if (word === 'room') roomId = value ?? '';
            if (word === 'acked') seqs.push(Number(value));
            if (seqs.length === 40) {
              child.kill('SIGKILL');
              resolve({ roomId, seqs });
            }
          }
        });
        child.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`writer exited early (code ${code})`));
        });
      });
      await new Promise((resolve) => child.once('close', resolve));

      const reopened = await openDatabase({ databaseUrl: undefined, dataDir: killDir.path });
      try {
        const log = await reopened.store.listEvents(acked.roomId);
        const seqs = log.map((e) => e.seq);
        expect(seqs.slice(0, acked.seqs.length)).toEqual(acked.seqs);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // no gap
        expect((await reopened.store.getRoom(acked.roomId))?.lastSeq).toBe(seqs.length);
      } finally {
        await reopened.close();
      }
    } finally {
      await killDir.remove();
    }
  });
});

const CHILD_WRITER = `
import { openDatabase } from './server/db/client.ts';
const db = await openDatabase({ databaseUrl: undefined, dataDir: process.env.KD_DATA_DIR });
const created = await db.store.createRoom({ code: 'KILL-ME', mode: 'gameday', scenarioId: 's', seed: 1, timeLimitSec: 60 });
process.stdout.write('room ' + created.room.id + '\\n');
for (let seq = 0; ; seq++) {
  const outcome = await db.store.appendEvents(created.room.id, seq, [{ type: 'command', payload: { line: 'kubectl get pods' }, simTime: seq }]);
  if (!outcome.ok) throw new Error(outcome.code);
  process.stdout.write('acked ' + outcome.lastSeq + '\\n');
}
`;
