// A database that is slow, not down (real PostgreSQL: a row lock held by another session).
// What the client is told must still let it carry on: a command stored after the client
// stopped waiting reaches its socket as an event.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let sql: pg.Pool;

beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, game: { reconcileMs: 0 } });
  sql = new pg.Pool({ connectionString: server.db.pool.options.connectionString, max: 2 });
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function playing() {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Host', seed: 1 });
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  const player = await connect(server.url);
  expect((await player.request('room:join', { code: created.body.code, name: 'Ops' })).ok).toBe(true);
  expect((await host.request('host:start')).ok).toBe(true);
  return { roomId: created.body.roomId, host, player };
}

/** Runs `body` while another session holds `lock` (a statement taking a lock) in an open transaction. */
async function holding<T>(lock: string, values: unknown[], body: () => Promise<T>): Promise<T> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    await client.query(lock, values);
    return await body();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

it('gives a player its own command as an event when its append was slow and the client had stopped waiting', async () => {
  const { roomId, host, player } = await playing();
  const gaveUp = await holding('SELECT 1 FROM "Room" WHERE id = $1 FOR UPDATE', [roomId], async () => {
    // The browser gives up after 10 s; here after 1 s, and the append waits 4 s for the row.
    const outcome = await player.socket.timeout(1000).emitWithAck('cmd:run', { line: 'echo slow' }).then(() => false, () => true);
    await sleep(3000);
    return outcome;
  });
  expect(gaveUp).toBe(true);
  // Stored once the row is free.
  const stored = async () => (await sql.query(`SELECT 1 FROM "Event" WHERE "roomId" = $1 AND type = 'command' AND payload->>'line' = 'echo slow'`, [roomId])).rowCount === 1;
  for (let i = 0; i < 100 && !(await stored()); i++) await sleep(50);
  expect(await stored()).toBe(true);
  const slow = await player.waitFor((e) => e.type === 'command' && e.line === 'echo slow', 5000);
  expect(slow.participantId).toBeDefined();
  host.close();
  player.close();
}, 30_000);
