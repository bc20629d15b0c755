// A database outage under a running game (a PostgreSQL of the test's own, stopped and
// started again; real socket.io clients): the room waits (clock stopped, inputs refused
// with `unavailable`, everyone told "saving is unavailable, retrying"), the command that
// met the outage is acknowledged only once it is written, and the room carries on by
// itself when the database is back. What the log holds is exactly what was acknowledged
// and broadcast: nothing lost, nothing extra.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { connect, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';

let postgres: OwnPostgres;
let server: TestServer;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  server = await startTestServer({
    catalog: loadScenarioCatalog().catalog,
    database: { url: postgres.url },
    tickMs: 50,
    flushMs: 200,
    game: { retryMs: { first: 50, max: 400 }, reconcileMs: 0 },
  });
}, 60_000);
afterAll(async () => {
  await postgres?.start().catch(() => undefined);
  await server?.close();
  await postgres?.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const storageMessages = (client: TestClient) => client.received.filter((m) => m.name === 'room:storage').map((m) => m.args[0] as { available: boolean; message: string });

it('pauses a room while the database is down and resumes it by itself, losing and inventing nothing', async () => {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Host', seed: 1 });
  const { roomId, code, hostToken } = created.body;
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: hostToken })).ok).toBe(true);
  const player = await connect(server.url);
  expect((await player.request('room:join', { code, name: 'Ops' })).ok).toBe(true);
  expect((await host.request('host:start')).ok).toBe(true);
  const acked: { seq: number; line: string }[] = [];
  const run = async (line: string) => {
    const ack = await player.request<{ seq: number }>('cmd:run', { line });
    if (ack.ok) acked.push({ seq: ack.seq, line });
    return ack;
  };
  for (const line of ['kubectl get pods -A', 'kubectl get nodes']) expect((await run(line)).ok).toBe(true);
  await player.waitFor((e) => e.type === 'tick');
  const runner = server.app.game.registry.inMemory(roomId) as RoomRunner;

  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !check(); i++) await sleep(25);
    if (!check()) throw new Error(`timed out waiting until ${what}`);
  };

  // 1. Paused (no clock): the host's note meets the outage. It is held, not refused and
  //    not acknowledged, until it is written.
  expect((await host.request('host:pause')).ok).toBe(true);
  await postgres.stop();
  let heldSettled = false;
  const held = host.call<{ seq: number }>('host:note', { text: 'written during the outage' }).finally(() => (heldSettled = true));
  await until(() => storageMessages(player).length > 0 && storageMessages(host).length > 0, 'players and host are told');
  expect(storageMessages(player)[0]).toEqual({ available: false, message: expect.stringMatching(/saving is unavailable, retrying/) });
  expect(runner.waitingForStorage).toBe(true);
  // Everything else is refused at once, with a code the client can show.
  expect(await player.call('cmd:run', { line: 'kubectl get pods' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  expect(await host.call('host:resume')).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  // A new room cannot be made either: 503 unavailable, not a 500.
  const refused = await postJson<{ error: { code: string } }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Later', seed: 2 });
  expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
  await sleep(1000);
  expect(heldSettled).toBe(false);
  await postgres.start();
  const note = await held;
  expect(note.ok).toBe(true);
  await until(() => storageMessages(player).some((m) => m.available), 'players are told saving works again');
  expect(runner.waitingForStorage).toBe(false);

  // 2. Running: the clock meets the outage. The room stops its clock and waits, then goes on by itself.
  expect((await host.request('host:resume')).ok).toBe(true);
  const ticks = host.events.filter((e) => e.type === 'tick').length;
  await until(() => host.events.filter((e) => e.type === 'tick').length > ticks, 'the clock runs');
  await postgres.stop();
  await until(() => storageMessages(host).filter((m) => !m.available).length === 2, 'the second outage is told');
  expect(await player.call('cmd:run', { line: 'kubectl get pods' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  const frozen = runner.room.elapsedMs;
  await sleep(1500);
  expect(runner.room.elapsedMs).toBe(frozen);
  await postgres.start();
  await until(() => storageMessages(host).filter((m) => m.available).length === 2, 'saving works again');
  await until(() => runner.room.elapsedMs > frozen, 'the clock runs again');
  // Time logged while it waited: at most the beats before it stopped, never the 1.5 s outage.
  expect(runner.room.elapsedMs - frozen).toBeLessThan(1000);
  expect((await run('kubectl get nodes')).ok).toBe(true);
  const paused = await host.request<{ seq: number }>('host:pause');
  expect(paused.ok).toBe(true);
  await host.waitFor((e) => e.seq === paused.seq);

  // The log is exactly what was acknowledged and broadcast.
  const check = new pg.Client({ connectionString: postgres.url });
  await check.connect();
  const { rows } = await check.query<{ seq: number; type: string; payload: { line?: string } }>('SELECT seq, type, payload FROM "Event" WHERE "roomId" = $1 ORDER BY seq', [roomId]);
  await check.end();
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  for (const { seq, line } of acked) expect(rows.find((r) => r.seq === seq)).toMatchObject({ type: 'command', payload: { line } });
  expect(rows.filter((r) => r.type === 'command').map((r) => r.payload.line)).toEqual(acked.map((a) => a.line));
  expect(rows.find((r) => r.seq === note.seq)).toMatchObject({ type: 'note.added' });
  const broadcast = host.events.filter((e) => (e.seq as number) > 2).map((e) => `${e.seq as number} ${e.type as string}`);
  expect(broadcast).toEqual(rows.filter((r) => r.seq > 2).map((r) => `${r.seq} ${r.type}`));
  host.close();
  player.close();
}, 90_000);

it('gives a player its own command as an event when its ack came late: the client had stopped waiting and dropped it', async () => {
  // Its own server with the clock off: the player's command, not a tick, is what meets the outage.
  const quiet = await startTestServer({
    catalog: loadScenarioCatalog().catalog,
    database: { url: postgres.url },
    tickMs: 0,
    game: { retryMs: { first: 50, max: 200 }, reconcileMs: 0 },
  });
  try {
    const created = await postJson<{ roomId: string; code: string; hostToken: string }>(quiet.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Host', seed: 1 });
    const host = await connect(quiet.url);
    expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
    const player = await connect(quiet.url);
    expect((await player.request('room:join', { code: created.body.code, name: 'Ops' })).ok).toBe(true);
    expect((await host.request('host:start')).ok).toBe(true);
    const onTime = await player.request<{ seq: number }>('cmd:run', { line: 'echo on-time' });
    expect(onTime.ok).toBe(true);
    await postgres.stop();
    // The browser gives up after 10 s; here after 1 s (the outage lasts longer).
    const gaveUp = await player.socket.timeout(1000).emitWithAck('cmd:run', { line: 'echo late' }).then(() => false, () => true);
    expect(gaveUp).toBe(true);
    await postgres.start();
    const late = await player.waitFor((e) => e.type === 'command' && e.line === 'echo late');
    expect(late.participantId).toBeDefined();
    // An ack that came on time still carries the command alone: no event of it went to its socket.
    expect(player.events.some((e) => e.seq === onTime.seq)).toBe(false);
    host.close();
    player.close();
  } finally {
    await postgres.start().catch(() => undefined);
    await quiet.close();
  }
}, 60_000);

it('answers a resume whose events cannot be read unavailable, not internal: the client retries the one, gives up on the other', async () => {
  const quiet = await startTestServer({ catalog: loadScenarioCatalog().catalog, database: { url: postgres.url }, tickMs: 0, game: { retryMs: { first: 50, max: 200 }, reconcileMs: 0 } });
  const locker = new pg.Client({ connectionString: postgres.url });
  try {
    const created = await postJson<{ code: string; hostToken: string }>(quiet.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Host', seed: 1 });
    const host = await connect(quiet.url);
    expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
    const player = await connect(quiet.url);
    const { token } = await player.request<{ token: string }>('room:join', { code: created.body.code, name: 'Ops' });
    player.close();
    // The room and the token are found; the events' read waits on a lock until its connection
    // is cut (the server's session ended, as a restart or a failover of the database ends it).
    // Stopping PostgreSQL instead raced: the lock could go first and the read succeed.
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Event" IN ACCESS EXCLUSIVE MODE');
    const back = await connect(quiet.url);
    const resumed = back.call('room:resume', { token, lastSeq: 0 });
    const waiting = async () => (await locker.query<{ pid: number }>('SELECT pid FROM pg_locks WHERE NOT granted')).rows;
    for (let i = 0; i < 200 && (await waiting()).length === 0; i++) await sleep(25);
    for (const { pid } of await waiting()) await locker.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await resumed).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await locker.query('ROLLBACK');
    expect(await back.request('room:resume', { token, lastSeq: 0 })).toMatchObject({ ok: true });
    host.close();
    back.close();
  } finally {
    await locker.end().catch(() => undefined);
    await quiet.close();
  }
}, 60_000);
