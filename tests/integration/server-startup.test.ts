// Start-up on a database full of open rooms (real PostgreSQL): the server listens before
// it rebuilds anything, then reconciles in the background: running rooms come back (a
// solo room whose time ran out while the server was down ends and is scored), a lobby
// nobody started for a day ends, and a room whose log cannot be folded is marked broken
// and refused with a clear error, while every other room carries on.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { connect, getJson, postJson, startTestServer, type TestServer } from '../helpers/server.js';

const { catalog } = loadScenarioCatalog();
let db: TestDatabase;
let sql: pg.Pool;
const servers: TestServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
}, 300_000);
afterAll(async () => {
  for (const server of servers) await server.close();
  await sql?.end();
  await db?.drop();
}, 300_000);

async function start(): Promise<TestServer> {
  const server = await startTestServer({ catalog, database: { url: db.url }, game: { reconcileMs: 0 } });
  servers.push(server);
  return server;
}

const status = async (roomId: string) => (await sql.query<{ status: string; brokenReason: string | null }>('SELECT status, "brokenReason" FROM "Room" WHERE id = $1', [roomId])).rows[0]!;

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('listens first, then resumes, ends, expires and quarantines open rooms in the background', async () => {
  const first = await start();
  const solo = [];
  for (let i = 0; i < 30; i++) {
    const created = await postJson<{ roomId: string; code: string; token: string }>(first.url, '/api/solo', { scenarioId: i % 2 ? 'etcd-nospace' : 'pending-pods', name: `p${i}` });
    expect(created.status).toBe(201);
    solo.push(created.body);
  }
  // One solo room with commands in its log.
  const player = await connect(first.url);
  expect((await player.request('room:join', { token: solo[0]!.token })).ok).toBe(true);
  for (const line of ['kubectl get pods -A', 'kubectl get nodes', 'kubectl get events -A']) expect((await player.request('cmd:run', { line })).ok).toBe(true);
  player.close();
  const lobby = await postJson<{ roomId: string; code: string; hostToken: string }>(first.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'H' });
  const freshLobby = await postJson<{ roomId: string; code: string; hostToken: string }>(first.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'H2' });
  await first.close();
  servers.splice(servers.indexOf(first), 1);

  // While the server is down: a lobby turns a day old, a solo room's time runs out, and a log gets an event no replay can apply.
  await sql.query(`UPDATE "Room" SET "createdAt" = now() - interval '25 hours' WHERE id = $1`, [lobby.body.roomId]);
  const overdue = solo[1]!;
  await sql.query(`UPDATE "Room" SET "startedAt" = now() - interval '3 hours' WHERE id = $1`, [overdue.roomId]);
  const broken = solo[2]!;
  await sql.query(
    `WITH r AS (UPDATE "Room" SET "lastSeq" = "lastSeq" + 1 WHERE id = $1 RETURNING "lastSeq")
     INSERT INTO "Event" ("roomId", seq, type, payload, "simTime") SELECT $1, r."lastSeq", 'command', '{"participantId":"nobody","line":"ls","output":"","exitCode":0}', 0 FROM r`,
    [broken.roomId],
  );

  const second = await start();
  // Listening did not wait for the rooms.
  expect(second.app.game.registry.list().length).toBeLessThan(10);
  expect((await getJson(second.url, '/healthz')).status).toBe(200);
  // A join does not wait for the background either.
  const early = await connect(second.url);
  expect((await early.request('room:join', { token: solo[0]!.token })).ok).toBe(true);
  expect((await early.request('cmd:run', { line: 'kubectl get pods -A' })).ok).toBe(true);

  await until(async () => (await status(overdue.roomId)).status === 'ended', 'the overdue solo room ended');
  await until(async () => (await status(lobby.body.roomId)).status === 'ended', 'the old lobby expired');
  await until(async () => (await status(broken.roomId)).brokenReason !== null, 'the broken room is marked');
  const results = await sql.query('SELECT score, "maxScore" FROM "Result" WHERE "roomId" = $1', [overdue.roomId]);
  expect(results.rows).toHaveLength(1);
  expect((await status(freshLobby.body.roomId)).status).toBe('lobby');
  expect((await status(broken.roomId)).brokenReason).toMatch(/cannot be rebuilt/);
  // Every solo room but the overdue and the broken one.
  const resumed = solo.length - 2;
  await until(() => second.app.game.registry.list().filter((r) => r.room.status === 'running').length === resumed, 'the other solo rooms run again');

  // The broken room is refused with a clear error; the others are unaffected.
  const brokenClient = await connect(second.url);
  const refused = await brokenClient.request('room:join', { token: broken.token });
  expect(refused).toMatchObject({ ok: false, error: { code: 'room_broken' } });
  expect(refused.error!.message).toMatch(/could not be restored from its log/);
  const other = await connect(second.url);
  expect((await other.request('room:join', { token: solo[3]!.token })).ok).toBe(true);
  expect((await other.request('cmd:run', { line: 'kubectl get nodes' })).ok).toBe(true);
  for (const client of [early, brokenClient, other]) client.close();

  // And the next start skips it without trying again.
  await second.close();
  servers.splice(servers.indexOf(second), 1);
  const third = await start();
  await until(() => third.app.game.registry.list().filter((r) => r.room.status === 'running').length === resumed, 'the solo rooms run again');
  expect(third.app.game.registry.inMemory(broken.roomId)).toBeUndefined();
}, 300_000);
