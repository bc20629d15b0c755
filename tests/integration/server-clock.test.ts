// The room clock on real timers: simulated time runs while the room runs and stops while
// it is paused (fast clock: 20 ms beats, logged every 100 ms).
import type { RoomRunner } from '../../server/rooms/runner.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog(), tickMs: 20, flushMs: 100 });
});
afterAll(async () => {
  await server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('pausing stops simulated time; resuming restarts it', async () => {
  const created = await postJson<{ roomId: string; hostToken: string; code: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'H' });
  const host = await connect(server.url);
  await host.call('room:join', { token: created.body.hostToken });
  const player = await connect(server.url);
  await player.call('room:join', { code: created.body.code, name: 'P' });
  await host.call('host:start');
  await player.waitFor((e) => e.type === 'tick');
  // Counted once the pause itself (and the tick that rides along with it) reached the player.
  const pausedFirst = await host.call<{ seq: number }>('host:pause');
  await player.waitFor((e) => e.seq === pausedFirst.seq);
  const runner = ((await server.app.game.registry.get(created.body.roomId)) as RoomRunner);
  const frozen = { now: runner.room.cluster.now, elapsed: runner.room.elapsedMs };
  expect(frozen.elapsed).toBeGreaterThan(0);
  const ticksAtPause = player.events.filter((e) => e.type === 'tick').length;
  await sleep(400);
  expect(runner.room.cluster.now).toBe(frozen.now);
  expect(runner.room.elapsedMs).toBe(frozen.elapsed);
  expect(player.events.filter((e) => e.type === 'tick')).toHaveLength(ticksAtPause);
  expect(await player.call('cmd:run', { line: 'get' })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'the room is paused' } });

  await host.call('host:resume');
  await sleep(400);
  expect(runner.room.elapsedMs).toBeGreaterThan(frozen.elapsed);
  expect(player.events.filter((e) => e.type === 'tick').length).toBeGreaterThan(ticksAtPause);
  // Time logged equals time the simulation ran (paused again so no tick is in flight).
  const paused = await host.call<{ seq: number }>('host:pause');
  await player.waitFor((e) => e.seq === paused.seq);
  const logged = player.events.filter((e) => e.type === 'tick').reduce((s, e) => s + (e.ms as number), 0);
  expect(logged).toBe(runner.room.elapsedMs);
  host.close();
  player.close();
});
